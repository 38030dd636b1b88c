"""Funding pages and endpoints for the isolation suite (tests/checks.py): they read a division through the door,
so each role may open exactly the divisions tests/oracle.py gives it (404 elsewhere)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests import oracle
from tests.checks import DetailCheck, ListCheck, RolePageCheck, api_ids, html_ids
from tests.services.oracle import _reach, is_county_bureau


def _counties() -> list:  # type: ignore[type-arg]
    from stations.models import Division

    return list(Division.objects.filter(code__in=["350425", "350424", "469025", "5105"]))


def _county_codes(user):  # type: ignore[no-untyped-def]
    return {c for c in oracle.division_codes(user) if len(c) in (4, 6)}


def budget_ids(user):  # type: ignore[no-untyped-def]
    from funding.models import Budget

    rows = Budget.objects.values_list("pk", "station__division_id", "station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def this_year_budget_ids(user):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from funding.models import Budget

    year = timezone.localdate().year
    return {pk for pk in budget_ids(user) if Budget.objects.filter(pk=pk, year=year).exists()}


def expenditure_ids(user):  # type: ignore[no-untyped-def]
    from funding.models import Expenditure

    rows = Expenditure.objects.values_list("pk", "budget__station__division_id", "budget__station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def disbursement_ids(user):  # type: ignore[no-untyped-def]
    from funding.models import Disbursement

    rows = Disbursement.objects.values_list("pk", "division_id", "station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def this_year_disbursement_ids(user):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from funding.models import Disbursement

    year = timezone.localdate().year
    return {pk for pk in disbursement_ids(user) if Disbursement.objects.filter(pk=pk, year=year).exists()}


def relief_base_ids(user):  # type: ignore[no-untyped-def]
    from accounts.models import Organisation
    from funding.models import ReliefBase

    bureau = user.is_superuser or (user.organisation is not None and user.organisation.kind == Organisation.Kind.BUREAU)
    rows = ReliefBase.objects.values_list("pk", "division_id")
    return {str(pk) for pk, division in rows if bureau and _reach(user, division, None)}


def _all(model_name: str):  # type: ignore[no-untyped-def]
    def rows():  # type: ignore[no-untyped-def]
        from django.apps import apps

        return list(apps.get_model("funding", model_name).objects.order_by("pk"))

    return rows


LISTS = [
    ListCheck("funding:budget-list", "/funding/budgets/", html_ids(r'data-budget-id="(\d+)"'), this_year_budget_ids),
    ListCheck("api:budget-list", "/api/v1/budgets/", api_ids(), budget_ids),
    ListCheck(
        "funding:expenditure-list",
        "/funding/expenditures/",
        html_ids(r'data-expenditure-id="(\d+)"'),
        expenditure_ids,
    ),
    ListCheck("api:expenditure-list", "/api/v1/expenditures/", api_ids(), expenditure_ids),
    ListCheck(
        "funding:disbursement-list",
        "/funding/disbursements/",
        html_ids(r'data-disbursement-id="(\d+)"'),
        this_year_disbursement_ids,
    ),
    ListCheck("api:disbursement-list", "/api/v1/disbursements/", api_ids(), disbursement_ids),
    ListCheck("funding:relief-bases", "/funding/relief-bases/", html_ids(r'data-relief-id="(\d+)"'), relief_base_ids),
    ListCheck("api:relief-base-list", "/api/v1/funding/relief-bases/", api_ids(), relief_base_ids),
]


def _budget_writer(user):  # type: ignore[no-untyped-def]
    return user.is_superuser or is_county_bureau(user)


ROLE_PAGES = [
    RolePageCheck("funding:budget-create", "/funding/budgets/new/", _budget_writer),
]

DETAILS = [
    DetailCheck("funding:budget-detail", lambda o: f"/funding/budgets/{o.pk}/", _all("Budget"), budget_ids),
    DetailCheck("api:budget-detail", lambda o: f"/api/v1/budgets/{o.pk}/", _all("Budget"), budget_ids),
    DetailCheck(
        "funding:expenditure-detail", lambda o: f"/funding/expenditures/{o.pk}/", _all("Expenditure"), expenditure_ids
    ),
    DetailCheck(
        "funding:expenditure-receipt",
        lambda o: f"/funding/expenditures/{o.pk}/receipt/",
        _all("Expenditure"),
        expenditure_ids,
    ),
    DetailCheck(
        "api:expenditure-detail", lambda o: f"/api/v1/expenditures/{o.pk}/", _all("Expenditure"), expenditure_ids
    ),
    DetailCheck(
        "funding:disbursement-detail",
        lambda o: f"/funding/disbursements/{o.pk}/",
        _all("Disbursement"),
        disbursement_ids,
    ),
    DetailCheck(
        "api:disbursement-detail", lambda o: f"/api/v1/disbursements/{o.pk}/", _all("Disbursement"), disbursement_ids
    ),
    DetailCheck(
        "api:relief-base-detail",
        lambda o: f"/api/v1/funding/relief-bases/{o.pk}/",
        _all("ReliefBase"),
        relief_base_ids,
    ),
    DetailCheck(
        "api:funding-relief-cap",
        lambda d: f"/api/v1/funding/relief-cap/?division={d.code}&base=1000000",
        _counties,
        oracle.division_codes,
        key=lambda d: d.code,
    ),
    DetailCheck(
        "api:funding-categories",
        lambda d: f"/api/v1/funding/categories/?division={d.code}",
        _counties,
        oracle.division_codes,
        key=lambda d: d.code,
    ),
    DetailCheck(
        "funding:estimate",
        lambda d: f"/funding/?division={d.code}&year=2027",
        lambda: [d for d in _counties() if len(d.code) == 6],
        oracle.division_codes,
        key=lambda d: d.code,
    ),
    DetailCheck(
        "api:funding-estimate",
        lambda d: f"/api/v1/funding/estimate/?division={d.code}&year=2027",
        lambda: [d for d in _counties() if len(d.code) == 6],
        oracle.division_codes,
        key=lambda d: d.code,
    ),
]

_POST = "POST only, a declared action: tests/test_write_matrix.py (every role) and tests/funding/test_budgets.py"

EXEMPT = {
    "funding:budget-edit": "a draft's line editor: the budget through for_user(change), tests/funding/test_pages.py",
    "funding:expenditure-create": "the spending form of an approved budget the agency sees: "
    "tests/funding/test_pages.py",
    "api:budget-lines": _POST,
    "api:budget-approve": _POST,
    "api:expenditure-approve": _POST,
    "api:expenditure-return": _POST,
    "api:disbursement-pay": _POST,
}


def _receipt():  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n%%EOF\n")


def _rows_at(station, bureau, agency, county: str) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from funding.models import Budget, Disbursement, Expenditure, ReliefBase

    year = timezone.localdate().year
    # An earlier year: the demo holds this year's budgets at the sunshine station (one per station and year).
    budget = Budget.objects.create(station=station, year=year - 3, status="approved", created_by=bureau)
    line = budget.lines.create(kind="operations", source="county", amount=Decimal("1000.00"))
    row = Expenditure(
        budget=budget,
        line=line,
        category="transport",
        amount=Decimal("10.00"),
        spent_on=dt.date(year - 3, 6, 1),
        payee="隔离收款方",
        description="隔离测试",
        receipt_type="application/pdf",
        receipt_extension="pdf",
        receipt_size=15,
        receipt_sha256="0" * 64,
        recorded_by=agency,
    )
    row.receipt.save("r", _receipt(), save=False)
    row.save()
    Disbursement.objects.create(
        kind="tranche",
        division_id=station.division_id,
        station=station,
        year=year,
        sequence=1,
        due_date=dt.date(year, 6, 30),
        amount=Decimal("500.00"),
        recorded_by=bureau,
    )
    ReliefBase.objects.get_or_create(
        division_id=county, year=year, defaults={"amount": Decimal("1000000.00"), "basis": "测试", "entered_by": bureau}
    )


def seed() -> None:
    """A budget with a spending, a tranche and a relief base in Datian (the sunshine station)."""
    from accounts.models import User
    from tests.services.write_cases import sunshine_station

    _rows_at(
        sunshine_station(),
        User.objects.get(username="datian_bureau"),
        User.objects.get(username="agency_sunshine"),
        "350425",
    )


def outside() -> None:
    """The same at the 白沙 station (Hainan), outside every Fujian account."""
    from accounts.models import Organisation, User
    from stations.models import Station

    station = Station.objects.get(name="白沙黎族自治县社会工作服务总站")
    agency = Organisation.objects.get(name="白沙社会工作服务中心")
    worker = User.objects.filter(organisation=agency).first() or User.objects.create(
        username="baisha_funding", organisation=agency
    )
    _rows_at(station, worker, worker, "469025")
