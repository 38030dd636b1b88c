"""The indicators added to the first slice, each at a small known data set against a hand-computed value: stations
by level, status and star; brief completeness; evaluation pass rate; relief-fund use against its cap; scattered
特困 persons visited in the week. Quarter periods. An agency sees only its own stations' figures, never a place's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from dashboards.indicators import Period, indicators
from dashboards.models import IndicatorValue, StationIndicatorValue
from dashboards.refresh import current_periods, refresh
from stations.models import Division, Station
from tests.dashboards.test_dashboards import BAISHA, baisha  # noqa: F401  (fixture)
from tests.stations.test_import import shared_dir  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _value(indicator: str, code: str, period: str) -> tuple[Decimal, Decimal, Decimal | None]:
    row = IndicatorValue.objects.get(indicator=indicator, division_id=code, period=period)
    return row.numerator, row.denominator, row.value


def _station(indicator: str, station: Station, period: str) -> tuple[Decimal, Decimal, Decimal | None]:
    row = StationIndicatorValue.objects.get(indicator=indicator, station=station, period=period)
    return row.numerator, row.denominator, row.value


@pytest.fixture
def more(baisha: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """On top of Baisha's set: a star, the agreement's station, two evaluations, relief money, scattered people."""
    from contracts.models import Contract
    from evaluation.models import Evaluation
    from funding.models import Budget, ReliefBase
    from services.models import Beneficiary, ServiceRecord, Visit, iso_week
    from tests.funding.support import set_rule

    year = baisha["year"]
    station = Station.objects.get(name="测试乡镇站")
    station.star_rating = 5
    station.save(update_fields=["star_rating"])
    contract = Contract.objects.get(number="BS-DASH")
    contract.stations.add(station)
    evaluator = Organisation.objects.create(kind="evaluator", name="看板评估机构", division_id=BAISHA)
    for stage, passed in (("midterm", False), ("final", True)):
        Evaluation.objects.create(
            contract=contract,
            service_year=year,
            stage=stage,
            evaluator=evaluator,
            state="final",
            total=Decimal("80"),
            passed=passed,
            finalized_at=timezone.make_aware(dt.datetime.combine(dt.date(year, 2, 15), dt.time(10))),
            created_by=baisha["officer"],
        )
    # Relief money in last year's approved budget of the village station: 300 of a cap of 5% of 10,000 = 500.
    village_station = Station.objects.get(name="测试村点")
    last_year = year - 1
    budget = Budget.objects.create(
        station=village_station, year=last_year, status="approved", created_by=baisha["officer"]
    )
    budget.lines.create(kind="operations", source="relief", amount=Decimal("300.00"))
    budget.lines.create(kind="operations", source="county", amount=Decimal("700.00"))
    set_rule(BAISHA, "funding.relief_fund_cap", {"percent": "5", "base": "relief_fund_current_budget"})
    ReliefBase.objects.create(
        division_id=BAISHA, year=last_year, amount=Decimal("10000.00"), basis="当年预算", entered_by=baisha["officer"]
    )
    # Scattered 特困 persons of the township station: three in the register (one visited in the week of 31
    # December last year, one only the week before, one never), one no longer in it, one of another category.
    village = baisha["villages"][0]
    people = [
        Beneficiary.objects.create(
            station=station,
            division=village,
            name=f"看板对象{n}",
            birth_date=dt.date(1950, 1, 1),
            categories=cats,
            active=active,
        )
        for n, (cats, active) in enumerate(
            [
                (["tekun_scattered"], True),
                (["tekun_scattered"], True),
                (["tekun_scattered"], True),
                (["tekun_scattered"], False),
                (["dibao"], True),
            ]
        )
    ]
    end = dt.date(last_year, 12, 31)
    for person, day in ((people[0], end), (people[1], end - dt.timedelta(days=7)), (people[3], end)):
        record = ServiceRecord.objects.create(
            station=station, kind="visit", date=day, hours=Decimal("1.00"), title="探访", recorded_by=baisha["officer"]
        )
        Visit.objects.create(
            beneficiary=person,
            station=station,
            date=day,
            week=iso_week(day),
            record=record,
            recorded_by=baisha["officer"],
        )
    return {**baisha, "station": station, "village_station": village_station, "contract": contract}


def test_station_counts_by_level_status_and_star(more: dict[str, Any]) -> None:
    year = str(more["year"])
    refresh(year)
    # Baisha: an operating township station (five stars), a township station in preparation, an operating village
    # point. By level of the three not closed; by status of all three; stars of the one operating township station.
    assert _value("stations_by_level.township", BAISHA, year) == (Decimal(2), Decimal(3), Decimal("0.6667"))
    assert _value("stations_by_level.village", BAISHA, year) == (Decimal(1), Decimal(3), Decimal("0.3333"))
    assert _value("stations_by_status.operating", BAISHA, year)[:2] == (Decimal(2), Decimal(3))
    assert _value("stations_by_status.preparing", BAISHA, year)[:2] == (Decimal(1), Decimal(3))
    assert _value("stations_by_star.5", BAISHA, year) == (Decimal(1), Decimal(1), Decimal("1.0000"))
    assert _value("stations_by_star.4", BAISHA, year) == (Decimal(0), Decimal(1), Decimal("0.0000"))
    assert _station("stations_by_star.5", more["station"], year) == (Decimal(1), Decimal(1), Decimal("1.0000"))
    # A station has a row in its own category only (one per breakdown, not one per category).
    assert not StationIndicatorValue.objects.filter(indicator="stations_by_star.4", station=more["station"]).exists()
    own_rows = StationIndicatorValue.objects.filter(station=more["station"], indicator__startswith="stations_by_")
    assert own_rows.count() == 3
    assert indicators()["stations_by_star.5"].target == "target.five_star_township_share"


def test_brief_completeness_and_evaluation_pass_rate_by_quarter(more: dict[str, Any]) -> None:
    year = more["year"]
    town = more["town"].code
    refresh(f"{year}Q1")
    refresh(f"{year}-03")
    # The station is under the agreement all quarter: 3 briefs owed, January's and February's handed in.
    assert _value("brief_completeness", town, f"{year}Q1") == (Decimal(2), Decimal(3), Decimal("0.6667"))
    assert _station("brief_completeness", more["station"], f"{year}Q1")[:2] == (Decimal(2), Decimal(3))
    assert _value("brief_completeness", town, f"{year}-03")[:2] == (Decimal(0), Decimal(1))
    # Two results determined on 15 February: the final passed, the mid-term did not.
    assert _value("evaluation_pass", BAISHA, f"{year}Q1") == (Decimal(1), Decimal(2), Decimal("0.5000"))
    assert _station("evaluation_pass", more["station"], f"{year}Q1")[:2] == (Decimal(1), Decimal(2))
    assert not IndicatorValue.objects.filter(indicator="evaluation_pass", period=f"{year}-03").exists()
    # Hours of the quarter: 3 h case + 2 h group of 10 h (January's records).
    assert _value("professional_hours", town, f"{year}Q1")[:2] == (Decimal(5), Decimal(10))


def test_relief_fund_use_against_the_counties_cap(more: dict[str, Any]) -> None:
    last_year = str(more["year"] - 1)
    refresh(last_year)
    assert _value("relief_fund_use", BAISHA, last_year) == (Decimal(300), Decimal(500), Decimal("0.6000"))
    assert _value("relief_fund_use", "46", last_year)[:2] == (Decimal(300), Decimal(500))
    # The cap is the county's: no township or station figure.
    assert not IndicatorValue.objects.filter(indicator="relief_fund_use", level=4).exists()
    assert not StationIndicatorValue.objects.filter(indicator="relief_fund_use").exists()
    # Within the cap it does not fall short; 600 of 500 is over the cap and is flagged as such.
    from dashboards.selectors import with_targets
    from funding.models import BudgetLine

    definition, period = indicators()["relief_fund_use"], Period.parse(last_year)

    def row() -> Any:
        value = IndicatorValue.objects.select_related("division").get(
            indicator="relief_fund_use", division_id=BAISHA, period=last_year
        )
        return with_targets(definition, period, [value])[0]

    assert (row().over, row().short, row().short_label) == (False, False, "")
    BudgetLine.objects.filter(source="relief").update(amount=Decimal("600.00"))
    refresh(last_year)
    assert row().value == Decimal("1.2000")
    assert (row().over, row().short, row().short_label) == (True, True, "超上限")
    assert definition.to_json()["ceiling"] == "1.0000"
    with pytest.raises(ValueError):
        Period.parse(f"{last_year}Q5")


def test_scattered_persons_visited_in_the_week(more: dict[str, Any]) -> None:
    q4 = f"{more['year'] - 1}Q4"
    refresh(q4)
    # Three in the register; one visited in the week of 31 December (the other only the week before).
    assert _value("scattered_visited", more["town"].code, q4) == (Decimal(1), Decimal(3), Decimal("0.3333"))
    assert _station("scattered_visited", more["station"], q4)[:2] == (Decimal(1), Decimal(3))


def test_quarter_periods_parse_and_refresh_with_the_current_ones() -> None:
    q = Period.parse("2026q2")
    assert (q.text, q.kind, q.first, q.last, q.months) == (
        "2026Q2",
        "quarter",
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
        ["2026-04", "2026-05", "2026-06"],
    )
    assert Period.of("quarter", dt.date(2026, 11, 24)).text == "2026Q4"
    assert current_periods(dt.date(2026, 11, 24)) == ["2026-11", "2026Q4", "2026"]
    assert Period.parse("2026Q4").label() == "2026年第4季度"


def test_an_agency_sees_only_its_own_stations_figures(more: dict[str, Any]) -> None:
    year = str(more["year"])
    refresh(year)
    agency_org = Organisation.objects.get(name="白沙看板测试机构")
    agency_org.credit_code = "91469025MA5TEST01X"
    agency_org.save(update_fields=["credit_code"])
    agency = User.objects.create_user("baisha_agency_dash", password="Xx-12345678", organisation=agency_org)

    def pulled(user: User, level: str = "station") -> set[Any]:
        client = Client()
        client.force_login(user)
        url = f"/api/v1/indicator-values/?indicator=professional_hours&period={year}&level={level}&limit=5000"
        response = client.get(url)
        assert response.status_code == 200, response.content
        return {r.get("station", r["division"]) for r in response.json()["results"]}

    # Its one station under the agreement, never the village point nor the township's aggregate.
    assert pulled(agency) == {more["station"].pk}
    assert pulled(agency, "township") == set()
    sunshine = pulled(User.objects.get(username="agency_sunshine"))
    assert more["station"].pk not in sunshine
    assert all(
        Station.objects.get(pk=pk).division_id.startswith("350425") for pk in sunshine
    )  # the demo agency's stations
    # The bureau sees its stations' figures too; an evaluator nothing.
    assert more["station"].pk in pulled(more["officer"])
    assert pulled(User.objects.get(username="evaluator")) == set()
    client = Client()
    client.force_login(agency)
    response = client.get(f"/api/v1/indicator-values/?indicator=township_coverage&period={year}&level=station")
    assert response.status_code == 400 and "不按站点" in response.json()["level"][0]
    # The page: the agency's own stations, the indicators computed per station only.
    page = client.get(f"/dashboards/?indicator=professional_hours&period={year}")
    text = page.content.decode()
    assert page.status_code == 200 and "本机构服务站点" in text and "测试乡镇站" in text and "测试村点" not in text
    assert client.get(f"/dashboards/?indicator=township_coverage&period={year}").status_code == 404
    # Figures counted from rows another agency may own (its evaluations, briefs, workers at a station it ran before)
    # are not offered to an agency: not on the page, an empty pull from the API; the bureau reads them.
    for code in ("evaluation_pass", "brief_completeness", "brief_timeliness", "qualified_staff"):
        assert client.get(f"/dashboards/?indicator={code}&period={year}").status_code == 404
        assert f'value="{code}"' not in text
        url = f"/api/v1/indicator-values/?indicator={code}&period={year}&level=station"
        assert client.get(url).json()["results"] == []
    assert StationIndicatorValue.objects.filter(
        indicator="evaluation_pass", station=more["station"], period=year
    ).exists()
    bureau_pull = Client()
    bureau_pull.force_login(more["officer"])
    rows = bureau_pull.get(f"/api/v1/indicator-values/?indicator=evaluation_pass&period={year}&level=station")
    assert {r["station"] for r in rows.json()["results"]} >= {more["station"].pk}
    # A bureau drills from a township to its stations.
    bureau = Client()
    bureau.force_login(more["officer"])
    town = bureau.get(f"/dashboards/?indicator=professional_hours&period={year}&division={more['town'].code}")
    assert "测试乡镇站" in town.content.decode()
    assert Division.objects.filter(code=BAISHA).exists()
