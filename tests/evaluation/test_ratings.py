"""Station star ratings (issue 11 item 6): the county bureau records its criteria (a declared action, audited),
each station gets the highest level it meets from its final evaluation total and, where asked, its brief
completeness; Hunan-style five-star targets are measured against the ratings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from core.models import AuditLog
from evaluation import actions
from evaluation.models import Evaluation, StarRule
from evaluation.ratings import five_star_targets, rate, station_ratings
from policies.policy import effective_policy
from stations.models import Division, Station

from .support import DATIAN, contract, evaluation, granted_station, user

pytestmark = pytest.mark.django_db
D = Decimal


def _rules(levels: dict[int, tuple[str, str | None]]) -> list[StarRule]:
    return actions.star_rules_set(
        acting_user=user("datian_bureau"),
        levels={n: {"min_total": D(t), "min_brief_rate": None if r is None else D(r)} for n, (t, r) in levels.items()},
        basis="局务会议纪要〔2026〕5号",
    )


def _final(total: str, year: int = 2026) -> Evaluation:
    e = evaluation(contract(year=year))
    Evaluation.objects.filter(pk=e.pk).update(state=Evaluation.State.FINAL, total=D(total), passed=True)
    return e


def test_criteria_are_recorded_with_audit_and_checked() -> None:
    rows = _rules({5: ("90", "95"), 4: ("80", None), 3: ("70", None)})
    assert [r.stars for r in rows] == [3, 4, 5] and rows[0].set_by == user("datian_bureau")
    assert AuditLog.objects.filter(object_type="evaluation.StarRule", event="create").exists()
    _rules({5: ("92", None)})  # levels left out are removed
    assert list(StarRule.objects.values_list("stars", flat=True)) == [5]
    with pytest.raises(ValidationError, match="不能低于"):
        _rules({5: ("80", None), 4: ("85", None)})
    with pytest.raises(ValidationError, match="1 至 5"):
        _rules({6: ("80", None)})
    with pytest.raises(Http404):
        actions.star_rules_set(acting_user=user("junxi_town"), levels={5: {"min_total": D("90")}}, basis="x")


def test_the_highest_level_met_at_its_edges() -> None:
    rules = _rules({5: ("90", "100"), 4: ("80", None), 1: ("0", None)})
    high_first = sorted(rules, key=lambda r: -r.stars)
    assert rate(high_first, D("90.00"), D("100.00"))[0] == 5  # exactly the minimum
    assert rate(high_first, D("90.00"), D("99.99"))[0] == 4  # the brief rate keeps it from five
    stars, findings = rate(high_first, D("89.99"), D("100"))
    assert stars == 4 and "89.99 分低于 90.00 分" in findings[0]["message"] and "局务会议纪要" in findings[0]["message"]
    assert rate(high_first, D("79.99"), None)[0] == 1
    assert rate(high_first, None, None) == (None, [rate(high_first, None, None)[1][0]])
    assert "尚无认定的末期评估结果" in rate(high_first, None, None)[1][0]["message"]
    assert "尚未确定星级评定标准" in rate([], D("99"), None)[1][0]["message"]


def test_ratings_per_station_from_the_final_evaluation(user_client) -> None:  # type: ignore[no-untyped-def]
    _rules({5: ("90", None), 4: ("80", None)})
    _final("85.50")
    station = granted_station()
    division = Division.objects.get(code=DATIAN)
    by_station = {r.station: r for r in station_ratings(user("datian_bureau"), division, 2026)}
    assert by_station[station.pk].stars == 4 and by_station[station.pk].total == D("85.50")
    assert all(r.stars is None for pk, r in by_station.items() if pk != station.pk)
    data = user_client("datian_bureau").get(f"/api/v1/station-ratings/?division={DATIAN}&year=2026").json()
    row = next(r for r in data if r["station"] == station.pk)
    assert set(row) == {"station", "name", "stars", "recorded", "total", "findings"}
    assert row["stars"] == 4 and row["total"] == "85.50"
    # another year has no final evaluation
    assert all(
        r["stars"] is None
        for r in user_client("datian_bureau").get(f"/api/v1/station-ratings/?division={DATIAN}&year=2025").json()
    )
    page = user_client("datian_bureau").get("/evaluations/ratings/?year=2026").content.decode()
    assert f'id="rating-{station.pk}"' in page and "★★★★☆" in page and "保存星级评定标准" in page
    # the page form records criteria
    client = user_client("datian_bureau")
    client.post("/evaluations/ratings/rules/", {"total-5": "95", "total-3": "60", "basis": "纪要"})
    assert sorted(StarRule.objects.values_list("stars", "min_total")) == [(3, D("60")), (5, D("95"))]


def test_ratings_api_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    town = user_client("junxi_town")
    junxi = user("junxi_town").organisation
    assert junxi is not None
    rows = town.get(f"/api/v1/station-ratings/?division={junxi.division_id}&year=2026").json()
    assert {r["station"] for r in rows} == set(
        Station.objects.filter(division__pk__startswith=junxi.division_id).values_list("pk", flat=True)
    )
    assert town.get(f"/api/v1/station-ratings/?division={DATIAN}&year=2026").status_code == 404
    assert user_client("datian_bureau").get("/api/v1/station-ratings/?division=469025&year=2026").status_code == 404
    assert user_client("datian_bureau").get(f"/api/v1/station-ratings/?division={DATIAN}&year=20x6").status_code == 400


def test_five_star_targets_measured_against_the_ratings() -> None:
    """Hunan's targets (preset hunan.json, [003 §2(2)]) against a county's ratings."""
    from evaluation.ratings import Rating

    policy = effective_policy("430102") if Division.objects.filter(code="430102").exists() else None
    if policy is None or policy.get("target.five_star_township_share") is None:
        hunan = Division.objects.filter(code__startswith="43", level=3).values_list("code", flat=True).first()
        assert hunan is not None, "the Hunan divisions are loaded with the demo"
        policy = effective_policy(hunan)
    assert policy.get("target.five_star_township_share") is not None

    def ratings(stars: list[int | None]) -> list[Rating]:
        return [Rating(i, f"站{i}", "430000000", Station.Level.TOWNSHIP, s, None, None) for i, s in enumerate(stars)]

    ten = ratings([5, 4, 4, 3, 3, 3, None, None, None, None])
    found = {f.rule_key: f for f in five_star_targets(policy, ten, 2021)}
    assert found["target.five_star_township_share"].outcome == "pass"  # 1 of 10 = 10% against 10%
    assert found["target.five_star_township_min_per_county"].outcome == "pass"
    assert found["target.five_star_township_share"].clause == "[003 §2(2)]"
    found = {f.rule_key: f for f in five_star_targets(policy, ten, 2022)}
    assert found["target.five_star_township_share"].outcome == "fail"  # 10% against 20%
    none = {f.rule_key: f for f in five_star_targets(policy, ratings([4, 4]), 2030)}
    assert none["target.five_star_township_share"].outcome == "unknown"  # the plan lists no 2030 figure
    assert none["target.five_star_township_min_per_county"].outcome == "fail"
    assert five_star_targets(effective_policy(DATIAN), ten, 2021) == []  # Datian's plan sets no such target


def test_ratings_take_a_fixed_number_of_queries() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _rules({5: ("90", "95")})
    _final("91")
    admin = user("admin")
    counts = []
    for code in (DATIAN, "35"):
        division = Division.objects.get(code=code)
        with CaptureQueriesContext(connection) as ctx:
            station_ratings(admin, division, 2026)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts  # a province costs what a county costs


def test_publishing_makes_the_ratings_the_stations_recorded_stars(user_client) -> None:  # type: ignore[no-untyped-def]
    station = granted_station()
    Station.objects.filter(pk=station.pk).update(star_rating=2)
    with pytest.raises(ValidationError, match="尚无评定出星级"):
        actions.star_ratings_publish(acting_user=user("datian_bureau"), year=2026)
    _rules({5: ("90", None), 4: ("80", None)})
    _final("85.50")
    division = Division.objects.get(code=DATIAN)
    row = next(r for r in station_ratings(user("datian_bureau"), division, 2026) if r.station == station.pk)
    assert (row.stars, row.recorded, row.differs) == (4, 2, True)
    page = user_client("datian_bureau").get("/evaluations/ratings/?year=2026").content.decode()
    assert "按2026年度评定结果更新站点星级" in page and "待更新" in page
    with pytest.raises(Http404):  # only the county bureau publishes
        actions.star_ratings_publish(acting_user=user("junxi_town"), year=2026)
    response = user_client("datian_bureau").post("/evaluations/ratings/publish/", {"year": "2026"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    station.refresh_from_db()
    assert station.star_rating == 4
    log = AuditLog.objects.get(object_type="stations.Station", object_id=str(station.pk), event="update")
    assert log.changes["star_rating"] == {"before": 2, "after": 4} and "4星级" in log.changes["basis"]
    # the other stations have no determined rating and keep theirs
    others = Station.objects.filter(division__code__startswith=DATIAN).exclude(pk=station.pk)
    assert not AuditLog.objects.filter(object_type="stations.Station", object_id__in=[str(s.pk) for s in others])
    # nothing left to change: refused, nothing written
    api = user_client("datian_bureau").post(
        "/api/v1/station-ratings/publish/", {"year": 2026}, content_type="application/json"
    )
    assert api.status_code == 400 and "已与2026年度的评定结果一致" in api.content.decode()
    Station.objects.filter(pk=station.pk).update(star_rating=None)
    api = user_client("datian_bureau").post(
        "/api/v1/station-ratings/publish/", {"year": 2026}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json() == [
        {"station": station.pk, "name": station.name, "before": None, "after": 4}
    ]
    assert (
        user_client("junxi_town")
        .post("/api/v1/station-ratings/publish/", {"year": 2026}, content_type="application/json")
        .status_code
        == 404
    )
