"""Write-matrix cases for the contracts actions added after the central matrix (tests/checks.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.checks import Case

DATIAN = "350425"
BAISHA = "469025"  # 白沙 (Hainan): outside every Fujian account


def _division(code: str) -> Any:
    from stations.models import Division

    names = {2: "测试省", 4: "测试市", 6: "测试县"}
    parent = None
    for n in (2, 4, 6):
        parent, _ = Division.objects.get_or_create(
            code=code[:n], defaults={"name": names[n], "level": n // 2, "parent": parent}
        )
    return parent


def filed_contract(code: str = DATIAN, status: str = "filed", filed: bool = True) -> Any:
    from accounts.models import Organisation
    from contracts.models import Contract
    from stations.models import Station

    today = timezone.localdate()
    _division(code)
    bureau = Organisation.objects.get_or_create(
        kind=Organisation.Kind.BUREAU, division_id=code, defaults={"name": f"{code}民政局"}
    )[0]
    contract = Contract.objects.create(
        number=f"MATRIX-RF-{Contract.objects.count() + 1}",
        buyer=bureau,
        division_id=code,
        agency=Organisation.objects.filter(kind=Organisation.Kind.AGENCY).order_by("pk").first(),
        status=status,
        signed_date=today - dt.timedelta(days=10),
        filed_date=(today - dt.timedelta(days=2)) if filed else None,
        filed_with="上级民政部门" if filed else "",
        start_date=dt.date(today.year, 1, 1),
        end_date=dt.date(today.year, 12, 31),
    )
    station = Station.objects.filter(division__code__startswith=code).order_by("pk").first()
    if station is None:
        station = Station.objects.create(
            division_id=code, level=Station.Level.COUNTY_HQ, name=f"{code}矩阵测试总站", status="operating"
        )
    contract.stations.add(station)
    return contract


def _receive_http(client: Client, contract: Any) -> Any:
    return client.post(f"/api/v1/contracts/{contract.pk}/receive-filing/", {}, content_type="application/json")


def _upload(user: Any, contract: Any) -> Any:
    from contracts import actions as ca
    from tests.contracts.docs_support import pdf

    return ca.document_upload(acting_user=user, contract=contract, kind="annex", title="矩阵测试附件", upload=pdf())


def _upload_http(client: Client, contract: Any) -> Any:
    from tests.contracts.docs_support import pdf

    return client.post(f"/contracts/{contract.pk}/documents/", {"kind": "annex", "title": "矩阵附件", "file": pdf()})


def terms() -> dict[str, Any]:
    year = timezone.localdate().year
    return {
        "payments": [{"due_date": dt.date(year, 3, 1), "amount": "100.00", "condition": "签订后"}],
        "indicators": [{"name": "个案服务", "target": "20", "unit": "个"}],
        "breach_terms": [{"party": "agency", "text": "未按期配齐驻站社工的，按日扣减服务费"}],
    }


def _terms(user: Any, contract: Any) -> Any:
    from decimal import Decimal

    from contracts import actions as ca

    data = terms()
    payments = [{**p, "amount": Decimal(p["amount"])} for p in data["payments"]]
    return ca.terms_save(
        acting_user=user,
        contract=contract,
        payments=payments,
        indicators=data["indicators"],
        breach_terms=data["breach_terms"],
    )


def _terms_http(client: Client, contract: Any) -> Any:
    import json

    return client.post(
        f"/api/v1/contracts/{contract.pk}/terms/", json.dumps(terms(), default=str), content_type="application/json"
    )


def _new_care(place: Any) -> Any:
    from contracts.models import CareAgreement
    from tests.contracts.care_support import person

    return CareAgreement(
        number="MATRIX-CARE-NEW",
        township=place.town_org,
        village=place.village,
        station=place.station,
        worker=place.worker,
        beneficiary=person(place.station, place.village),
        start_date=dt.date(timezone.localdate().year, 1, 1),
        end_date=dt.date(timezone.localdate().year, 12, 31),
        station_legal_person=True,
        station_head_name="王建国",
        station_head_civil_affairs=True,
    )


def _care(status: str, nantong: bool = False) -> Any:
    from tests.contracts import care_support as cs

    return cs.care_agreement(cs.nantong() if nantong else cs.datian(), status=status)


def _care_http(action: str) -> Any:
    def post(client: Client, agreement: Any) -> Any:
        data = {"date": timezone.localdate().isoformat(), "reason": "服务对象入住敬老院"}
        return client.post(f"/care-agreements/{agreement.pk}/{action}/", data)

    return post


def _care_patch(client: Client, agreement: Any) -> Any:
    import json

    return client.patch(
        f"/api/v1/care-agreements/{agreement.pk}/",
        json.dumps({"station_head_name": "李建华"}),
        content_type="application/json",
    )


def cases() -> dict[str, Case]:
    from contracts import actions as ca
    from tests.contracts import care_support as cs

    today = timezone.localdate
    return {
        "care_agreements.create": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: _new_care(cs.datian()),
            out_of_scope=lambda: _new_care(cs.nantong()),
            call=lambda user, a: ca.care_agreement_create(acting_user=user, agreement=a),
        ),
        "care_agreements.update": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: _care("draft"),
            out_of_scope=lambda: _care("draft", nantong=True),
            call=lambda user, a: ca.care_agreement_update(
                acting_user=user, agreement=a, data={"station_head_name": "李建华"}
            ),
            http=_care_patch,
            http_ok=(200,),
            wrong_state=lambda: _care("signed"),
        ),
        "care_agreements.sign": Case(
            right_user="junxi_town",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: _care("draft"),
            out_of_scope=lambda: _care("draft", nantong=True),
            call=lambda user, a: ca.care_agreement_sign(acting_user=user, agreement=a, signed_date=today()),
            http=_care_http("sign"),
            http_ok=(302,),
            wrong_state=lambda: _care("signed"),
        ),
        "care_agreements.end": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: _care("signed"),
            out_of_scope=lambda: _care("signed", nantong=True),
            call=lambda user, a: ca.care_agreement_end(
                acting_user=user, agreement=a, ended_date=today(), reason="服务对象入住敬老院"
            ),
            http=_care_http("end"),
            http_ok=(302,),
            wrong_state=lambda: _care("draft"),
        ),
        "contracts.terms_save": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: filed_contract(status="draft", filed=False),
            out_of_scope=lambda: filed_contract("350424", status="draft", filed=False),
            call=_terms,
            http=_terms_http,
            http_ok=(200,),
            wrong_state=filed_contract,
        ),
        "contracts.document_upload": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=filed_contract,
            out_of_scope=lambda: filed_contract(BAISHA),
            call=_upload,
            http=_upload_http,
            http_ok=(302,),
            wrong_state=lambda: filed_contract(status="terminated"),
        ),
        "contracts.receive_filing": Case(
            right_user="fj_province",
            wrong_role_user="datian_bureau",
            in_scope=filed_contract,
            out_of_scope=lambda: filed_contract(BAISHA),
            call=lambda user, c: ca.contract_receive_filing(acting_user=user, contract=c),
            http=_receive_http,
            http_ok=(200,),
            wrong_state=lambda: filed_contract(status="draft", filed=False),
        ),
    }
