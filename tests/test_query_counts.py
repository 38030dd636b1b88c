"""Query counts of the list pages are pinned, and do not grow with the number of rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations.models import Division, Station

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/stations/",
    "/divisions/",
    "/divisions/350425/",
    "/policies/",
    "/policies/effective/?division=350425100",
    "/catalogue/",
    "/api/v1/stations/",
    "/api/v1/divisions/?parent=350425",
]


def count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def add_village_points(n: int) -> None:
    villages = Division.objects.filter(code__startswith="350425100", level=5).exclude(stations__isnull=False)[:n]
    Station.objects.bulk_create(
        Station(division=v, level=Station.Level.VILLAGE, name=f"{v.name}社会工作服务点", status="operating")
        for v in villages
    )


@pytest.mark.parametrize("username", ["datian_bureau", "junxi_town", "agency_sunshine"])
def test_pages_have_a_fixed_number_of_queries(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    before = {url: count(client, url) for url in PAGES}
    assert all(n <= 25 for n in before.values()), before
    add_village_points(8)
    after = {url: count(client, url) for url in PAGES}
    assert after == before
