"""Issue 13 item 11: the province and city see their children side by side and drill down."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from stations.models import Division, Station

pytestmark = pytest.mark.django_db

DATIAN = "350425"


def _row(body: str, name: str) -> str:
    rows = [r for r in re.findall(r"<tr>.*?</tr>", body, re.S) if f">{name}<" in r]
    assert len(rows) == 1, f"no single row for {name}"
    return rows[0]


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_province_home_summarises_cities_and_drills_down(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("fj_province")
    datian_total = Station.objects.filter(division__code__startswith=DATIAN).count()
    assert datian_total > 0
    body = client.get("/").content.decode()
    sanming = _row(body, "三明市")
    assert 'href="/overview/3504/"' in sanming
    assert _cells(sanming)[0] == str(Station.objects.filter(division__code__startswith="3504").count())
    assert 'id="summary-chart"' in body and "js/area-chart.js" in body
    city = client.get("/overview/3504/").content.decode()
    datian = _row(city, "大田县")
    assert _cells(datian)[0] == str(datian_total)
    assert 'href="/overview/350425/"' in datian
    county = client.get("/overview/350425/").content.decode()
    junxi = Division.objects.get(code__startswith=DATIAN, name="均溪镇")
    row = _row(county, "均溪镇")
    assert f'href="/divisions/{junxi.code}/"' in row  # townships drill to their stations
    assert _cells(row)[0] == str(Station.objects.filter(division__code__startswith=junxi.code).count())


def test_contracts_in_force_are_counted_per_child(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("fj_province").get("/overview/3504/").content.decode()
    in_force = Contract.objects.filter(division__code__startswith=DATIAN, status=Contract.Status.ACTIVE)
    from django.utils import timezone

    today = timezone.localdate()
    expected = in_force.filter(start_date__lte=today, end_date__gte=today).count()
    header = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", body)
    cells = _cells(_row(body, "大田县"))
    # The in-force column sits after the totals, the statuses and the levels.
    assert header.index("履行中协议") - 1 < len(cells)
    assert cells[header.index("履行中协议") - 1] == str(expected)


def test_summary_is_a_fixed_number_of_queries(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("fj_province")
    client.get("/overview/3504/")
    with CaptureQueriesContext(connection) as before:
        client.get("/overview/3504/")
    county = Division.objects.get(pk=DATIAN)
    for village in Division.objects.filter(code__startswith=DATIAN, level=Division.Level.VILLAGE)[:20]:
        Station.objects.get_or_create(
            division=village, level=Station.Level.VILLAGE, defaults={"name": f"{county.name}{village.name}点"}
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/overview/3504/")
    assert len(after) == len(before)


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("datian_bureau", "35", 404),  # an ancestor it may read, but not its subtree
        ("datian_bureau", DATIAN, 200),
        ("fj_province", "43", 404),
        ("junxi_town", DATIAN, 404),
        ("agency_sunshine", DATIAN, 404),
        ("fj_province", "350425100", 404),  # townships: see the division page instead
    ],
)
def test_summary_scope(user_client, username: str, code: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert user_client(username).get(f"/overview/{code}/").status_code == status
