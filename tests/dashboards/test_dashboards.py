"""Dashboards (issue 14, first slice): each indicator at a small known data set against a hand-computed value,
rolled up the tree; who sees which figures; stale figures say so; an unchanged pull answers 304; CSV; the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from dashboards.models import IndicatorValue
from dashboards.refresh import refresh
from stations.importer import import_divisions
from stations.models import Division, Station
from tests.stations.test_import import shared_dir  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

BAISHA = "469025"


@pytest.fixture
def baisha(demo: None, shared_dir: Path) -> dict[str, Any]:  # noqa: F811
    """Real Baisha (11 townships and their villages) with a known, small set of records."""
    from evaluation.reports.models import MonthlyBrief
    from funding.models import Budget, Expenditure
    from services.models import ServiceRecord
    from staffing.models import Certificate, SocialWorker

    import_divisions(shared_dir, prefix=BAISHA, progress=False)
    towns = list(Division.objects.filter(code__startswith=BAISHA, level=4).order_by("code"))
    town = towns[0]
    villages = list(Division.objects.filter(code__startswith=town.code, level=5).order_by("code"))
    station = Station.objects.create(division=town, level="township", name="测试乡镇站", status="operating")
    Station.objects.create(division=towns[1], level="township", name="筹建站", status="preparing")
    Station.objects.create(division=villages[0], level="village", name="测试村点", status="operating")
    bureau = Organisation.objects.create(kind="bureau", name="白沙黎族自治县民政局", division_id=BAISHA)
    officer = User.objects.create_user("baisha_dash", password="Xx-12345678", organisation=bureau)
    agency = Organisation.objects.create(kind="agency", name="白沙看板测试机构", division_id=BAISHA)
    for n, (major, certified) in enumerate([(True, False), (False, True), (False, False), (False, False)]):
        w = SocialWorker.objects.create(
            agency=agency,
            division=town,
            station=station,
            name=f"看板社工{n}",
            education="bachelor",
            social_work_major=major,
            hired_on=dt.date(2025, 1, 1),
        )
        if certified:
            Certificate.objects.create(worker=w, level="assistant", number=f"BSD{n}", obtained_on=dt.date(2024, 1, 1))
    year = timezone.localdate().year
    day = dt.date(year, 1, 10)
    for kind, hours in (("case", "3.00"), ("group", "2.00"), ("admin", "5.00")):
        ServiceRecord.objects.create(
            station=station, kind=kind, date=day, hours=Decimal(hours), title="看板测试", recorded_by=officer
        )
    from contracts.models import Contract

    contract = Contract.objects.create(
        number="BS-DASH",
        buyer=bureau,
        division=town,
        agency=agency,
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        status="active",
    )
    for month, submitted in ((1, dt.date(year, 1, 20)), (2, dt.date(year, 2, 27))):
        MonthlyBrief.objects.create(
            station=station,
            contract=contract,
            agency=agency,
            division=town,
            period=f"{year}-{month:02d}",
            due_date=dt.date(year, month, 26),
            state="submitted",
            first_submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(10))),
            submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(10))),
        )
    budget = Budget.objects.create(station=station, year=year, status="approved", created_by=officer)
    line = budget.lines.create(kind="operations", source="county", amount=Decimal("1000.00"))
    for amount, status in (("250.00", "approved"), ("100.00", "recorded")):
        Expenditure.objects.create(
            budget=budget,
            line=line,
            category="transport",
            amount=Decimal(amount),
            spent_on=day,
            payee="看板",
            description="看板",
            receipt="x.pdf",
            receipt_type="application/pdf",
            receipt_extension="pdf",
            receipt_size=1,
            receipt_sha256="0" * 64,
            recorded_by=officer,
            status=status,
        )
    return {"town": town, "towns": towns, "villages": villages, "officer": officer, "year": year}


def _value(indicator: str, code: str, period: str) -> tuple[Decimal, Decimal, Decimal | None]:
    row = IndicatorValue.objects.get(indicator=indicator, division_id=code, period=period)
    return row.numerator, row.denominator, row.value


def test_each_indicator_against_a_hand_computed_value(baisha: dict[str, Any]) -> None:
    year, town = str(baisha["year"]), baisha["town"].code
    villages_in_town = len(baisha["villages"])
    villages_in_county = Division.objects.filter(code__startswith=BAISHA, level=5).count()
    refresh(year)
    refresh(f"{year}-01")
    # 1 operating township station of 11 townships (the one preparing does not count).
    assert _value("township_coverage", BAISHA, year) == (Decimal(1), Decimal(11), Decimal("0.0909"))
    assert _value("township_coverage", town, year)[2] == Decimal("1.0000")
    assert _value("village_coverage", town, year)[:2] == (Decimal(1), Decimal(villages_in_town))
    assert _value("village_coverage", BAISHA, year)[:2] == (Decimal(1), Decimal(villages_in_county))
    # 4 workers in post: one social-work major, one certified.
    assert _value("qualified_staff", town, year) == (Decimal(2), Decimal(4), Decimal("0.5000"))
    # 3 h case + 2 h group of 10 h in all.
    assert _value("professional_hours", town, f"{year}-01") == (Decimal(5), Decimal(10), Decimal("0.5000"))
    # January's brief before the 26th, February's after it.
    assert _value("brief_timeliness", town, year) == (Decimal(1), Decimal(2), Decimal("0.5000"))
    assert _value("brief_timeliness", town, f"{year}-01") == (Decimal(1), Decimal(1), Decimal("1.0000"))
    # 250 approved of 1,000 (the 100 waiting does not count).
    assert _value("budget_execution", BAISHA, year) == (Decimal(250), Decimal(1000), Decimal("0.2500"))
    # Rolled up to the city level and the province, the same sums.
    assert _value("budget_execution", "46", year)[:2] == (Decimal(250), Decimal(1000))
    assert IndicatorValue.objects.get(indicator="township_coverage", division_id=BAISHA, period=year).level == 3


def test_refresh_is_idempotent_and_drops_what_no_longer_has_data(baisha: dict[str, Any]) -> None:
    year = str(baisha["year"])
    refresh(year)
    before = IndicatorValue.objects.count()
    refresh(year)
    assert IndicatorValue.objects.count() == before
    from funding.models import Budget, Expenditure

    Expenditure.objects.all().delete()
    Budget.objects.all().delete()
    refresh(year)
    assert not IndicatorValue.objects.filter(indicator="budget_execution", period=year).exists()


def test_who_sees_which_figures(baisha: dict[str, Any]) -> None:
    year = str(baisha["year"])
    refresh(year)

    def pulled(user: User) -> set[str]:
        client = Client()
        client.force_login(user)
        response = client.get(f"/api/v1/indicator-values/?indicator=township_coverage&period={year}&limit=5000")
        assert response.status_code == 200
        return {r["division"] for r in response.json()["results"]}

    shown = pulled(baisha["officer"])
    assert BAISHA in shown and baisha["town"].code in shown and not any(c.startswith("35") for c in shown)
    assert "46" not in shown  # above the bureau's county
    datian = pulled(User.objects.get(username="datian_bureau"))
    assert datian and all(c.startswith("350425") for c in datian)
    assert pulled(User.objects.get(username="junxi_town")) <= {
        User.objects.get(username="junxi_town").organisation.division_id  # type: ignore[union-attr]
    }
    # An agency never sees an aggregate that mixes other agencies' work; an evaluator nothing.
    assert pulled(User.objects.get(username="agency_sunshine")) == set()
    assert pulled(User.objects.get(username="evaluator")) == set()
    evaluator = Client()
    evaluator.force_login(User.objects.get(username="evaluator"))
    assert evaluator.get("/dashboards/").status_code == 404


def test_an_unchanged_pull_answers_304_and_csv_pages_with_a_cursor(baisha: dict[str, Any]) -> None:
    year = str(baisha["year"])
    refresh(year)
    client = Client()
    client.force_login(baisha["officer"])
    url = f"/api/v1/indicator-values/?indicator=village_coverage&period={year}&level=township&limit=5"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    refresh(year)  # recomputed: a new computed_at, a new tag
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    body = first.json()
    assert len(body["results"]) == 5 and body["next"]
    second = client.get(body["next"]).json()["results"]
    assert {r["division"] for r in second}.isdisjoint({r["division"] for r in body["results"]})
    csv_text = client.get(url + "&format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("division,name,level") and len(csv_text.splitlines()) == 6
    for bad in (
        "indicator=nope&period=2026",
        f"indicator=village_coverage&period={year}-13",
        "indicator=village_coverage",
    ):
        response = client.get(f"/api/v1/indicator-values/?{bad}")
        assert response.status_code == 400 and any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())
    codes = [i["code"] for i in client.get("/api/v1/indicators/").json()]
    assert "township_coverage" in codes and "stations_by_star.5" in codes


def test_the_page_compares_places_and_says_when_figures_are_stale(baisha: dict[str, Any]) -> None:
    year = str(baisha["year"])
    refresh(year)
    client = Client()
    client.force_login(baisha["officer"])
    page = client.get(f"/dashboards/?indicator=township_coverage&period={year}").content.decode()
    assert "白沙黎族自治县 · 乡镇（街道）社工站覆盖率" in page and "9.1%" in page
    assert f'data-division="{baisha["town"].code}"' in page and "可能已过期" not in page
    IndicatorValue.objects.update(computed_at=timezone.now() - dt.timedelta(days=3))
    assert "可能已过期" in client.get(f"/dashboards/?indicator=township_coverage&period={year}").content.decode()
    xlsx = client.get(f"/dashboards/?indicator=township_coverage&period={year}&export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/dashboards/?division=350425").status_code == 404


def test_an_administrator_starts_at_a_province_with_figures(baisha: dict[str, Any]) -> None:
    refresh(str(baisha["year"]))
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/dashboards/")
    assert page.status_code == 200 and "乡镇（街道）社工站覆盖率" in page.content.decode()


def test_the_nightly_refresh_recomputes_earlier_periods_rows_were_recorded_for(baisha: dict[str, Any]) -> None:
    """Incremental: this month, quarter and year, and every earlier period that rows recorded since the last
    refresh belong to (a record entered in June for January changes January, the first quarter and the year)."""
    from dashboards.refresh import changed_periods, refresh_current
    from services.models import ServiceRecord

    year, town = baisha["year"], baisha["town"].code
    june = dt.date(year, 6, 15)
    refresh(f"{year}-01")
    assert _value("professional_hours", town, f"{year}-01") == (Decimal(5), Decimal(10), Decimal("0.5000"))
    first = IndicatorValue.objects.get(indicator="professional_hours", division_id=town, period=f"{year}-01")
    done = refresh_current(june)
    assert f"{year}-01" not in done and {f"{year}-06", f"{year}Q2", str(year)} <= set(done)
    assert IndicatorValue.objects.get(pk=first.pk).computed_at == first.computed_at  # nothing new: left alone
    since = timezone.now()
    ServiceRecord.objects.create(
        station=Station.objects.get(name="测试乡镇站"),
        kind="case",
        date=dt.date(year, 1, 20),
        hours=Decimal("4.00"),
        title="补录一月个案",
        recorded_by=baisha["officer"],
    )
    assert changed_periods(since) == sorted([f"{year}-01", f"{year}Q1", str(year)])
    done = refresh_current(june)
    assert {f"{year}-01", f"{year}Q1"} <= set(done)
    assert _value("professional_hours", town, f"{year}-01") == (Decimal(9), Decimal(14), Decimal("0.6429"))
    assert _value("professional_hours", town, f"{year}Q1")[:2] == (Decimal(9), Decimal(14))
