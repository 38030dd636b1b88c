"""Dashboards for the isolation suite (tests/checks.py): the indicator values each role may pull, computed by the
refresh over the demo, against an oracle of the scope rule (bureaus their subtree, a township its own place,
agencies and evaluators nothing)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Organisation, User
from tests.checks import ListCheck, api_ids

YEAR = str(timezone.localdate().year)


def seed() -> None:
    from dashboards.refresh import refresh

    refresh(YEAR, ["township_coverage"])


def value_divisions(user: User) -> set[str]:
    from dashboards.models import IndicatorValue

    codes = IndicatorValue.objects.filter(indicator="township_coverage", period=YEAR).values_list(
        "division_id", flat=True
    )
    if user.is_superuser:
        return set(codes)
    org = user.organisation
    if org is None or org.kind not in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        return set()
    return {c for c in codes if c.startswith(org.division_id or "-")}


LISTS = [
    ListCheck(
        "api:indicator-values",
        f"/api/v1/indicator-values/?indicator=township_coverage&period={YEAR}",
        api_ids("division"),
        value_divisions,
    ),
]

EXEMPT = {
    "dashboards:dashboard": "the page reads the place through access_division and the rows through for_user: "
    "tests/dashboards/test_dashboards.py (bureau, township, agency 404, outside county 404)",
    "api:indicators": "the indicator definitions (data, the same for every account): no tenant rows",
}
