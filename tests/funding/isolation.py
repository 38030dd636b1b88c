"""Funding pages and endpoints for the isolation suite (tests/checks.py): they read a division through the door,
so each role may open exactly the divisions tests/oracle.py gives it (404 elsewhere)."""

from __future__ import annotations

from tests import oracle
from tests.checks import DetailCheck


def _counties() -> list:  # type: ignore[type-arg]
    from stations.models import Division

    return list(Division.objects.filter(code__in=["350425", "350424", "469025", "5105"]))


def _county_codes(user):  # type: ignore[no-untyped-def]
    return {c for c in oracle.division_codes(user) if len(c) in (4, 6)}


DETAILS = [
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
        "api:funding-estimate",
        lambda d: f"/api/v1/funding/estimate/?division={d.code}&year=2027",
        lambda: [d for d in _counties() if len(d.code) == 6],
        oracle.division_codes,
        key=lambda d: d.code,
    ),
]

EXEMPT = {
    "funding:estimate": "the page reads the county through access_division: tests/funding/test_funding.py "
    "(its own county; a county outside the user's reach is not offered and answers 404)",
}
