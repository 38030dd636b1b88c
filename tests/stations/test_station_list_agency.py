"""Station list: the agency (承接机构) column and filter, the search box that names codes, and the Excel export
beside the CSV (issue 13 item 8)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Organisation
from contracts.models import Contract
from core.models import AuditLog
from stations.models import Division, Station

pytestmark = pytest.mark.django_db


def _in_force() -> dict[int, str]:
    """{station id: agency name} from the demo's contracts in force, computed in Python."""
    from django.utils import timezone

    today = timezone.localdate()
    out: dict[int, str] = {}
    for c in Contract.objects.filter(status="active").prefetch_related("stations").select_related("agency"):
        if c.start_date <= today <= c.end_date:
            for s in c.stations.all():
                out[s.pk] = c.agency.name
    return out


def test_search_box_says_it_takes_a_code(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("datian_bureau").get("/stations/").content.decode()
    assert "名称、地址或区划代码" in body
    shown = user_client("datian_bureau").get("/stations/?q=350425100").content.decode()
    junxi = Station.objects.get(division_id="350425100", level="township")
    assert f'href="/stations/{junxi.pk}/"' in shown


def test_agency_column_and_filter(user_client) -> None:  # type: ignore[no-untyped-def]
    in_force = _in_force()
    sunshine = Organisation.objects.get(name="大田县阳光社会工作服务中心")
    assert sunshine.name in in_force.values()
    client = user_client("datian_bureau")
    body = client.get("/stations/").content.decode()
    assert "承接机构" in body and sunshine.name in body
    assert f'<option value="{sunshine.pk}"' in body

    filtered = client.get(f"/stations/?agency={sunshine.pk}").content.decode()
    expected = {pk for pk, name in in_force.items() if name == sunshine.name}
    for station in Station.objects.filter(division__code__startswith="350425"):
        assert (f'href="/stations/{station.pk}/"' in filtered) == (station.pk in expected), station.name

    village = Division.objects.filter(code__startswith="350425103", level=5).exclude(stations__isnull=False).first()
    assert village is not None
    some_without = Station.objects.create(division=village, level="village", name="无协议服务点", status="planned")
    none = client.get("/stations/?agency=none").content.decode()
    assert f'href="/stations/{some_without.pk}/"' in none
    for pk in in_force:
        assert f'href="/stations/{pk}/"' not in none


def test_agency_column_costs_no_query_per_row(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count("/stations/?sort=agency")
    contract = Contract.objects.filter(status="active").first()
    assert contract is not None
    contract.stations.add(*Station.objects.filter(division__code__startswith="350425102")[:5])
    assert count("/stations/?sort=agency") == before


def test_csv_has_the_agency(user_client) -> None:  # type: ignore[no-untyped-def]
    response = user_client("datian_bureau").get("/stations/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert "承接机构" in header
    col = header.index("承接机构")
    by_name = dict(Station.objects.values_list("name", "pk"))
    in_force = _in_force()
    for row in rows[1:]:
        assert row[col] == in_force.get(by_name[row[0]], "")


def test_excel_export_keeps_codes_as_text_and_defuses_formulas(user_client) -> None:  # type: ignore[no-untyped-def]
    station = Station.objects.filter(division__code__startswith="350425", level="village").first()
    assert station is not None
    Station.objects.filter(pk=station.pk).update(address='=HYPERLINK("http://example.invalid","点我")')
    client = user_client("datian_bureau")
    before = AuditLog.objects.filter(event="export").count()
    response = client.get("/stations/?export=xlsx&level=village")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["名称", "站点层级", "区划代码", "所在区划", "承接机构"]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    for row in rows:
        for cell in row:  # every filled cell is a string cell (empty ones carry no value)
            assert cell.value is None or cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)
        code = row[2].value
        assert isinstance(code, str) and len(code) == 12 and code.isdigit()
    address = next(r[5].value for r in rows if r[0].value == station.name)
    assert address == "'" + '=HYPERLINK("http://example.invalid","点我")'
    log = AuditLog.objects.filter(event="export").order_by("-id").first()
    assert AuditLog.objects.filter(event="export").count() == before + 1
    assert log is not None and log.changes["format"] == "xlsx" and log.changes["rows"] == len(rows)
    assert log.changes["filters"] == {"level": "village"}


def test_exports_follow_the_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    """The township's Excel holds its own stations only (the isolation suite checks every role)."""
    response = user_client("junxi_town").get("/stations/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    codes = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes and all(str(c).startswith("350425100") for c in codes)
