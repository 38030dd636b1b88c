"""Write-matrix cases of the funding actions (collected by tests/test_write_matrix.py; see tests/checks.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from contracts.models import Contract, PaymentInstalment
from funding import actions as fa
from funding.models import Budget, Disbursement, Expenditure
from stations.models import Division, Station
from tests.checks import Case
from tests.funding.support import PDF, set_rule
from tests.services.write_cases import outside_station, sunshine_station

DATIAN = "350425"
OTHER_COUNTY = "350424"
_years = itertools.count(1999, -1)  # past years: spending dates fall inside them, and no demo budget holds them
_plan_years = itertools.count(2100, -1)  # what a bureau may plan (2000 to 2100)
_seq = itertools.count(1)


def _post(path: str, data: dict[str, Any] | None = None) -> Any:
    return lambda client, obj: client.post(
        f"/api/v1/{path.format(pk=obj.pk)}", data or {}, content_type="application/json"
    )


def _receipt() -> Any:
    return SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")


def budget(station: Station | None = None, status: str = Budget.Status.DRAFT) -> Budget:
    station = station or sunshine_station()
    bureau = User.objects.get(username="datian_bureau")
    row = Budget.objects.create(station=station, year=next(_years), status=status, created_by=bureau)
    row.lines.create(kind="labour", category="labour", source="county", amount=Decimal("1000.00"))
    row.lines.create(kind="operations", source="county", amount=Decimal("1000.00"))
    return row


def expenditure(station: Station | None = None, status: str = Expenditure.Status.RECORDED) -> Expenditure:
    b = budget(station, Budget.Status.APPROVED)
    row = Expenditure(
        budget=b,
        line=b.lines.get(kind="operations"),
        category="transport",
        amount=Decimal("10.00"),
        spent_on=dt.date(b.year, 1, 5),
        payee="矩阵收款方",
        description="矩阵测试",
        receipt_type="application/pdf",
        receipt_extension="pdf",
        receipt_size=len(PDF),
        receipt_sha256="0" * 64,
        recorded_by=User.objects.get(username="agency_sunshine"),
        status=status,
    )
    from django.core.files.base import ContentFile

    row.receipt.save("r", ContentFile(PDF), save=False)
    row.save()
    return row


def disbursement(code: str = DATIAN, status: str = Disbursement.Status.PLANNED) -> Disbursement:
    station = sunshine_station() if code == DATIAN else outside_station()
    return Disbursement.objects.create(
        kind="tranche",
        division_id=station.division_id,
        station=station,
        year=next(_years),
        sequence=1,
        due_date=timezone.localdate(),
        amount=Decimal("100.00"),
        recorded_by=User.objects.get(username="datian_bureau"),
        status=status,
    )


def contract_with_schedule(code: str = DATIAN) -> Contract:
    station = sunshine_station() if code == DATIAN else outside_station()
    bureau = Organisation.objects.get_or_create(kind="bureau", division_id=code, defaults={"name": f"{code}民政局"})[0]
    today = timezone.localdate()
    c = Contract.objects.create(
        number=f"MATRIX-FUND-{next(_seq)}",
        buyer=bureau,
        division_id=code,
        agency=Organisation.objects.filter(kind="agency").order_by("pk").first(),
        status=Contract.Status.DRAFT,
        start_date=dt.date(today.year, 1, 1),
        end_date=dt.date(today.year, 12, 31),
    )
    c.stations.add(station)
    PaymentInstalment.objects.create(contract=c, sequence=1, due_date=dt.date(today.year, 3, 1), amount="100.00")
    return c


def township_with_care_rules(code: str = DATIAN) -> Division:
    """A township whose policy computes the care subsidy (the bureau's own rules for the test), each scattered
    特困 person there assessed."""
    from services.models import Beneficiary

    station = sunshine_station() if code == DATIAN else outside_station()
    county = station.division_id[:6]
    set_rule(county, "funding.subsidy_basis", ["农村分散特困供养人数", "自理能力评估结果"], "[004 §3(1)]")
    for level in ("full", "partial", "none"):
        set_rule(county, f"funding.care_subsidy_{level}", "100")
    Beneficiary.objects.filter(division__code__startswith=station.division_id, self_care="").update(self_care="full")
    return station.division


def _record_http(client: Client, b: Budget) -> Any:
    """POST /api/v1/expenditures/ as multipart with the receipt file."""
    return client.post(
        "/api/v1/expenditures/",
        {
            "budget": b.pk,
            "line": b.lines.get(kind="operations").pk,
            "category": "transport",
            "amount": "10.00",
            "spent_on": str(dt.date(b.year, 1, 5)),
            "payee": "客运站",
            "description": "交通",
            "receipt": _receipt(),
        },
    )


def cases() -> dict[str, Case]:
    return {
        "funding.budget_propose": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=sunshine_station,
            out_of_scope=outside_station,
            call=lambda user, s: fa.budget_propose(acting_user=user, station=s, year=next(_plan_years)),
            http=lambda client, s: client.post(
                "/api/v1/budgets/", {"station": s.pk, "year": next(_plan_years)}, content_type="application/json"
            ),
            http_ok=(201,),
        ),
        "funding.budget_update": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=budget,
            out_of_scope=lambda: budget(outside_station()),
            call=lambda user, b: fa.budget_update(
                acting_user=user, budget=b, lines=[{"kind": "labour", "source": "county", "amount": "10"}]
            ),
            http=_post("budgets/{pk}/lines/", {"lines": [{"kind": "labour", "source": "county", "amount": "10.00"}]}),
            http_ok=(200,),
            wrong_state=lambda: budget(status=Budget.Status.APPROVED),
        ),
        "funding.budget_approve": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=budget,
            out_of_scope=lambda: budget(outside_station()),
            call=lambda user, b: fa.budget_approve(acting_user=user, budget=b),
            http=_post("budgets/{pk}/approve/"),
            http_ok=(200,),
            wrong_state=lambda: budget(status=Budget.Status.APPROVED),
        ),
        "funding.relief_base_set": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: Division.objects.get(code=DATIAN),
            out_of_scope=lambda: Division.objects.get(code=OTHER_COUNTY),
            call=lambda user, d: fa.relief_base_set(
                acting_user=user, division=d, year=next(_plan_years), amount="1000"
            ),
            http=lambda client, d: client.post(
                "/api/v1/funding/relief-bases/",
                {"division": d.code, "year": next(_plan_years), "amount": "1000.00"},
                content_type="application/json",
            ),
            http_ok=(201,),
        ),
        "funding.expenditure_record": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: budget(status=Budget.Status.APPROVED),
            out_of_scope=lambda: budget(outside_station(), Budget.Status.APPROVED),
            call=lambda user, b: fa.expenditure_record(
                acting_user=user,
                budget=b,
                line=b.lines.get(kind="operations"),
                category="transport",
                amount="10",
                spent_on=dt.date(b.year, 1, 5),
                payee="客运站",
                description="交通",
                receipt=_receipt(),
            ),
            http=_record_http,
            http_ok=(201,),
            wrong_state=lambda: budget(status=Budget.Status.DRAFT),
            wrong_state_call=lambda user, b: fa.expenditure_record(
                acting_user=user,
                budget=b,
                line=b.lines.get(kind="operations"),
                category="transport",
                amount="10",
                spent_on=timezone.localdate(),
                payee="客运站",
                description="交通",
                receipt=_receipt(),
            ),
        ),
        "funding.expenditure_approve": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=expenditure,
            out_of_scope=lambda: expenditure(outside_station()),
            call=lambda user, e: fa.expenditure_approve(acting_user=user, expenditure=e),
            http=_post("expenditures/{pk}/approve/"),
            http_ok=(200,),
            wrong_state=lambda: expenditure(status=Expenditure.Status.APPROVED),
        ),
        "funding.expenditure_return": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=expenditure,
            out_of_scope=lambda: expenditure(outside_station()),
            call=lambda user, e: fa.expenditure_return(acting_user=user, expenditure=e, note="票据不清"),
            http=_post("expenditures/{pk}/return/", {"note": "票据不清"}),
            http_ok=(200,),
            wrong_state=lambda: expenditure(status=Expenditure.Status.RETURNED),
        ),
        "funding.tranches_plan": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=contract_with_schedule,
            out_of_scope=lambda: contract_with_schedule(OTHER_COUNTY),
            call=lambda user, c: fa.tranches_plan(acting_user=user, contract=c),
        ),
        "funding.care_subsidy_plan": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=township_with_care_rules,
            out_of_scope=lambda: Division.objects.get(code=outside_station().division_id),
            call=lambda user, d: fa.care_subsidy_plan(
                acting_user=user, township=d, year=next(_years), half=1, due_date=timezone.localdate()
            ),
        ),
        "funding.disbursement_pay": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=disbursement,
            out_of_scope=lambda: disbursement(OTHER_COUNTY),
            call=lambda user, d: fa.disbursement_pay(acting_user=user, disbursement=d, paid_on=timezone.localdate()),
            http=_post("disbursements/{pk}/pay/", {"paid_on": str(timezone.localdate())}),
            http_ok=(200,),
            wrong_state=lambda: disbursement(status=Disbursement.Status.PAID),
        ),
    }


__all__ = ["Client", "cases"]
