"""Dashboards for the isolation suite (tests/checks.py): the indicator values each role may pull, computed by the
refresh over the demo, against an oracle of the scope rule (bureaus their subtree, a township its own place,
agencies and evaluators nothing)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Organisation, User
from tests.checks import ListCheck, RolePageCheck, api_ids

YEAR = str(timezone.localdate().year)


def seed() -> None:
    from dashboards.refresh import refresh

    refresh(YEAR, ["township_coverage", "stations_by_status.operating"])


def value_divisions(user: User) -> set[str]:
    from dashboards.models import IndicatorValue

    codes = IndicatorValue.objects.filter(indicator="township_coverage", period=YEAR).values_list(
        "division_id", flat=True
    )
    if user.is_superuser:
        return set(codes)
    org = user.organisation
    if org is None or org.kind not in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP) or user.village_id:
        return set()  # a village worker is no dashboard viewer
    return {c for c in codes if c.startswith(org.division_id or "-")}


def station_value_ids(user: User) -> set[str]:
    from dashboards.models import StationIndicatorValue
    from tests.oracle import station_ids

    rows = set(
        StationIndicatorValue.objects.filter(indicator="stations_by_status.operating", period=YEAR).values_list(
            "station_id", flat=True
        )
    )
    org = user.organisation
    if not user.is_superuser and (org is None or org.kind == Organisation.Kind.EVALUATOR or user.village_id):
        return set()  # evaluators and village workers are no dashboard viewers
    return {str(pk) for pk in rows & station_ids(user)}


def _bureau(user: User) -> bool:
    org = user.organisation
    return org is not None and org.kind == Organisation.Kind.BUREAU


def service_account_ids(user: User) -> set[str]:
    from dashboards.models import ServiceAccount

    if not _bureau(user):
        return set()
    home = user.organisation.division_id or "-"  # type: ignore[union-attr]
    return {str(pk) for pk, code in ServiceAccount.objects.values_list("pk", "division_id") if code.startswith(home)}


ROLE_PAGES = [
    RolePageCheck(
        "dashboards:service-accounts",
        "/dashboards/service-accounts/",
        _bureau,
        r'data-account="(\d+)"',
        service_account_ids,
    ),
]

LISTS = [
    ListCheck(
        "api:indicator-values",
        f"/api/v1/indicator-values/?indicator=township_coverage&period={YEAR}",
        api_ids("division"),
        value_divisions,
    ),
    ListCheck(
        "api:indicator-values",
        f"/api/v1/indicator-values/?indicator=stations_by_status.operating&period={YEAR}&level=station",
        api_ids("station"),
        station_value_ids,
    ),
]

EXEMPT = {
    "dashboards:dashboard": "the page reads the place through access_division and the rows through for_user: "
    "tests/dashboards/test_dashboards.py (bureau, township, evaluator 404, outside county 404) and "
    "tests/dashboards/test_indicators.py (an agency: its own stations only; a township's stations)",
    "dashboards:service-account-revoke": "POST only, a declared action: tests/dashboards/write_cases.py and "
    "tests/dashboards/test_service_accounts.py",
    "api:indicators": "the indicator definitions (data, the same for every account): no tenant rows",
}
