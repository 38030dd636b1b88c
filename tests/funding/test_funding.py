"""Funding from the policy (issue 12): Baisha's annex 2 reproduced from data, the relief-fund caps at the fen,
spending categories per place, the page with its Excel table, and bad input answered in Chinese."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accounts.models import User
from funding.policy import categories, estimate, relief_cap
from stations.importer import import_divisions
from stations.models import Division
from tests.stations.test_import import shared_dir  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

BAISHA = "469025"


def _admin() -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def baisha(demo: None, shared_dir: Path) -> Division:  # noqa: F811
    import_divisions(shared_dir, prefix=BAISHA, progress=False)
    return Division.objects.get(code=BAISHA)


def test_baisha_annex_2_from_data(baisha: Division) -> None:
    table = estimate(baisha, 2027, user=_admin())
    # Annex 2 of 白沙 [002]: 11 stations × 3 workers; 16.2 + 5.8 = 22 万元 each; 33 workers, 178.2 + 63.8 = 242 万元.
    assert table.stations == 11 and table.workers == 33
    assert table.per_station == Decimal("220000.00")
    assert (table.labour, table.operations, table.total) == (
        Decimal("1782000.00"),
        Decimal("638000.00"),
        Decimal("2420000.00"),
    )
    assert {r.name for r in table.rows} >= {"牙叉镇", "七坊镇", "邦溪镇", "打安镇", "荣邦乡", "青松乡"}
    assert all((r.workers, r.labour, r.operations) == (3, Decimal("162000"), Decimal("58000")) for r in table.rows)
    assert "办公设备" in table.rows[0].note
    assert table.findings[0].rule_key == "funding.station_total_min" and table.findings[0].outcome == "pass"


def test_planning_stations_before_they_exist(baisha: Division) -> None:
    table = estimate(baisha, 2027, planned=4, user=_admin())
    assert table.stations == 4 and table.total == Decimal("880000.00") and table.workers == 12


def test_a_county_whose_policy_sets_no_standard_says_so(demo: None) -> None:
    table = estimate(
        Division.objects.get(code="350425"), 2027, user=_admin()
    )  # Datian's plan sets no money per station
    assert table.total is None and table.per_station is None
    assert {f.rule_key for f in table.findings} == {"funding.station_labour", "funding.station_operations"}
    assert all(f.outcome == "unknown" for f in table.findings)


@pytest.mark.parametrize(
    ("division", "base", "cap", "basis"),
    [
        ("350425", "1000000", "50000.00", "当年困难群众救助补助资金年度预算总额"),  # Datian 5 % [000 §7(2)]
        ("5105", "1000000", "30000.00", "上年度困难群众救助资金支出总额"),  # Luzhou 3 % [001 §6(2)]
        ("350425", "333333.33", "16666.66", "当年困难群众救助补助资金年度预算总额"),  # rounded down to the fen
    ],
)
def test_relief_caps(demo: None, division: str, base: str, cap: str, basis: str) -> None:
    result = relief_cap(division, Decimal(base))
    assert result.cap == Decimal(cap) and result.basis == basis


@pytest.mark.parametrize(("spent", "outcome"), [("49999.99", "pass"), ("50000.00", "pass"), ("50000.01", "fail")])
def test_cap_is_inclusive_to_the_fen(demo: None, spent: str, outcome: str) -> None:
    finding = relief_cap("350425", Decimal("1000000"), spent=Decimal(spent)).findings[0]
    assert finding.outcome == outcome
    assert finding.rule_key == "funding.relief_fund_cap" and "第七部分第（二）项" in finding.citation


def test_categories_by_place(demo: None) -> None:
    luzhou = {c["code"]: c for c in categories("5105")}
    assert luzhou["fixed_assets"]["allowed"] is False and luzhou["utilities"]["allowed"] is False
    assert luzhou["transport"]["allowed"] is True and "附件2" in luzhou["transport"]["clause"]
    assert luzhou["office_equipment"]["allowed"] is False
    baisha = {c["code"]: c for c in categories(BAISHA)}
    assert baisha["office_equipment"]["allowed"] is True and baisha["office_equipment"]["condition"] == "新建社工站当年"
    assert baisha["utilities"]["allowed"] is None  # Baisha's plan lists no categories


def test_api(user_client, baisha: Division) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    answer = client.get(f"/api/v1/funding/estimate/?division={BAISHA}&year=2027").json()
    assert set(answer) >= {
        "division",
        "year",
        "stations",
        "workers",
        "per_station",
        "labour",
        "operations",
        "total",
        "rows",
    }
    assert (answer["total"], answer["stations"], answer["workers"]) == ("2420000.00", 11, 33)
    assert client.get(f"/api/v1/funding/estimate/?division={BAISHA}&stations=2").json()["total"] == "440000.00"
    cap = client.get("/api/v1/funding/relief-cap/?division=350425&base=1000000&spent=50000.01").json()
    assert set(cap) == {"cap", "share", "base", "basis", "findings"}
    assert cap["cap"] == "50000.00" and cap["share"] == "5" and cap["findings"][0]["outcome"] == "fail"
    cats = client.get("/api/v1/funding/categories/?division=5105").json()
    assert set(cats[0]) == {"code", "name", "allowed", "condition", "clause"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/funding/relief-cap/?division=350425", "base"),
        ("/api/v1/funding/relief-cap/?division=350425&base=abc", "base"),
        ("/api/v1/funding/relief-cap/?division=350425&base=-1", "base"),
        ("/api/v1/funding/relief-cap/?division=350425&base=1.001", "base"),
        ("/api/v1/funding/relief-cap/?division=350425&base=1e400", "base"),
        ("/api/v1/funding/relief-cap/?division=350425&base=NaN", "base"),
        ("/api/v1/funding/relief-cap/?base=1", "division"),
        ("/api/v1/funding/estimate/?division=350425100", "division"),
        ("/api/v1/funding/estimate/?division=350425&year=99999", "year"),
        ("/api/v1/funding/estimate/?division=350425&stations=0", "stations"),
    ],
)
def test_bad_input_is_a_chinese_400(user_client, url: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = user_client("datian_bureau").get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_outside_scope_is_404(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    assert client.get("/api/v1/funding/estimate/?division=469025").status_code == 404
    assert client.get("/api/v1/funding/relief-cap/?division=5105&base=1").status_code == 404
    assert client.get("/api/v1/funding/categories/?division=350425").status_code == 200


@pytest.mark.parametrize("division", ["469025", "5105", "350424", "999999", "abc"])
def test_the_page_answers_404_for_a_division_outside_reach_as_the_api_does(user_client, division: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    assert client.get(f"/funding/?division={division}&year=2027").status_code == 404
    assert client.get(f"/funding/?division={division}&year=2027&export=xlsx").status_code == 404
    assert client.get(f"/api/v1/funding/estimate/?division={division}&year=2027").status_code in (400, 404)
    assert client.get("/funding/?division=350425&year=2027").status_code == 200


def test_page_and_excel(user_client, baisha: Division) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    page = client.get(f"/funding/?division={BAISHA}&year=2027&base=1000000")
    body = page.content.decode()
    assert page.status_code == 200
    assert "242" in body and "16.2" in body and "牙叉镇" in body and "办公设备" in body
    download = client.get(f"/funding/?division={BAISHA}&year=2027&export=xlsx")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "序号",
        "乡镇",
        "驻站社工（人）",
        "人力服务费用（万元）",
        "运营费用（万元）",
        "总经费（万元）",
    )
    total = rows[-1]
    assert total[0] == "合计" and total[2] == 33
    assert (Decimal(str(total[3])), Decimal(str(total[4])), Decimal(str(total[5]))) == (
        Decimal("178.2"),
        Decimal("63.8"),
        Decimal("242"),
    )


def test_the_bureau_page_opens_on_its_county(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("datian_bureau").get("/funding/").content.decode()
    assert "大田县" in body and "经费支出类别" in body


def test_the_table_reads_stations_through_the_door(demo: None) -> None:
    """An agency plans over the stations it sees, never learning of the others in the county."""
    from stations.models import Station

    agency = User.objects.get(username="agency_sunshine")
    datian = Division.objects.get(code="350425")
    seen = {s.division_id for s in Station.objects.for_user(agency).filter(level=Station.Level.TOWNSHIP)}
    rows = {r.code for r in estimate(datian, 2027, user=agency).rows}
    assert rows == seen and rows
    assert len(estimate(datian, 2027, user=User.objects.get(username="datian_bureau")).rows) > len(rows)


def test_the_estimate_table_as_a_chinese_pdf(user_client, baisha: Division) -> None:  # type: ignore[no-untyped-def]
    """Baisha's annex 2 as a PDF: the townships, the totals in 万元 as selectable text, fonts embedded."""
    from pypdf import PdfReader

    from tests.contracts.test_pdf import _fonts

    response = user_client("admin").get(f"/funding/?division={BAISHA}&year=2027&export=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    squeezed = re.sub(r"\s+", "", text)
    assert "经费测算表" in squeezed and "牙叉镇" in squeezed and "合计" in squeezed
    assert "178.2" in squeezed and "63.8" in squeezed and "242" in squeezed and "16.2" in squeezed
    fonts = _fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts)


def test_a_county_without_a_standard_gets_no_pdf_but_the_page_says_why(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    page = client.get("/funding/?division=350425&year=2027").content.decode()
    assert "export=pdf" not in page
    assert client.get("/funding/?division=350425&year=2027&export=pdf")["Content-Type"].startswith("text/html")


# Annex 2 of 白沙 [002]: each township's station, its resident workers and money (万元), in the annex's own order.
ANNEX_2 = ["牙叉", "七坊", "邦溪", "打安", "荣邦", "元门", "阜龙", "细水", "金波", "南开", "青松"]


def test_baishas_excel_body_rows_are_annex_2(user_client, baisha: Division) -> None:  # type: ignore[no-untyped-def]
    """The table's rows are in division-code order, not the annex's: compared township by township."""
    download = user_client("admin").get(f"/funding/?division={BAISHA}&year=2027&export=xlsx")
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    body = list(sheet.iter_rows(values_only=True))[1:-1]  # between the header and the total row
    assert [row[0] for row in body] == list(range(1, len(ANNEX_2) + 1))  # numbered in order, one row per station
    by_township = {}
    for row in body:
        name = str(row[1])
        assert name[-1] in "镇乡" and name[:-1] not in by_township, name  # one station per township
        by_township[name[:-1]] = (row[2], Decimal(str(row[3])), Decimal(str(row[4])), Decimal(str(row[5])))
    assert sorted(by_township) == sorted(ANNEX_2)
    for township in ANNEX_2:
        assert by_township[township] == (3, Decimal("16.2"), Decimal("5.8"), Decimal("22")), township
    notes = [row[6] for row in body]
    assert notes[0] == "新建社工站当年可使用运营经费购置办公设备。" and not any(notes[1:])
