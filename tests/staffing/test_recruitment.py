"""Recruitment plans filed with the county bureau [000 §6(3)]: the agency drafts and files, the bureau sees the
filed plans of its county and acknowledges them; pages and API."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from core.audit import AuditLog
from staffing.models import RecruitmentPlan
from stations.models import Station

pytestmark = pytest.mark.django_db

FORM = {
    "division": "350425",
    "year": "2027",
    "heads": "1",
    "full_time": "2",
    "part_time": "0",
    "announce_on": "2027-01-05",
    "interview_on": "2027-01-20",
    "start_on": "2027-02-01",
    "conditions": "大专及以上学历，35周岁以下",
}


def test_agency_drafts_files_and_the_bureau_acknowledges(user_client) -> None:  # type: ignore[no-untyped-def]
    agency, bureau = user_client("agency_sunshine"), user_client("datian_bureau")
    sunshine = Organisation.objects.get(name__contains="阳光", kind="agency")
    station = Station.objects.for_user(sunshine.users.first()).filter(level="township").order_by("pk").first()
    assert station is not None
    response = agency.post("/staffing/recruitment/new/", {**FORM, "stations": [station.pk]})
    assert response.status_code == 302
    plan = RecruitmentPlan.objects.get(agency=sunshine, year=2027)
    assert plan.state == RecruitmentPlan.State.DRAFT and list(plan.stations.all()) == [station]
    assert plan.positions == 3
    page = agency.get(response["Location"]).content.decode()
    assert "报县民政局备案" in page and "第六部分第（三）项" in page  # Datian's clause on the page

    # A draft is the agency's own: the bureau neither lists nor opens it.
    assert f"/staffing/recruitment/{plan.pk}/" not in bureau.get("/staffing/recruitment/").content.decode()
    assert bureau.get(f"/staffing/recruitment/{plan.pk}/").status_code == 404
    assert bureau.get(f"/api/v1/recruitment-plans/{plan.pk}/").status_code == 404
    assert plan.pk in {p["id"] for p in agency.get("/api/v1/recruitment-plans/").json()["results"]}
    # … and the bureau cannot acknowledge what it cannot see.
    assert bureau.post(f"/staffing/recruitment/{plan.pk}/acknowledge/", {"note": ""}).status_code == 404

    assert agency.post(f"/staffing/recruitment/{plan.pk}/file/").status_code == 302
    plan.refresh_from_db()
    assert plan.state == RecruitmentPlan.State.FILED and plan.filed_on is not None
    listed = bureau.get("/api/v1/recruitment-plans/").json()["results"]
    row = next(p for p in listed if p["id"] == plan.pk)
    assert row["state"] == "filed" and row["stations"] == [{"id": station.pk, "name": station.name}]
    assert {a["action"] for a in row["allowed_actions"]} == {"staffing.recruitment_plan.acknowledge"}

    # Filed: the agency can no longer change it.
    locked = agency.get(f"/staffing/recruitment/{plan.pk}/edit/").content.decode()
    assert "不能再修改" in locked
    assert agency.post(f"/staffing/recruitment/{plan.pk}/edit/", {**FORM, "heads": "5"}).status_code == 400
    plan.refresh_from_db()
    assert plan.heads == 1

    detail = bureau.get(f"/staffing/recruitment/{plan.pk}/").content.decode()
    assert "确认备案" in detail
    assert bureau.post(f"/staffing/recruitment/{plan.pk}/acknowledge/", {"note": "同意备案"}).status_code == 302
    plan.refresh_from_db()
    assert plan.state == RecruitmentPlan.State.ACKNOWLEDGED and plan.acknowledge_note == "同意备案"
    assert AuditLog.objects.filter(object_type__icontains="recruitmentplan", object_id=str(plan.pk)).count() >= 3
    # A township sees the plan only if it names one of its stations; the agency sees the bureau's remark.
    junxi = Organisation.objects.get(users__username="junxi_town")
    assert (
        plan.pk in {p["id"] for p in user_client("junxi_town").get("/api/v1/recruitment-plans/").json()["results"]}
    ) == station.division_id.startswith(junxi.division_id)
    assert "同意备案" in agency.get(f"/staffing/recruitment/{plan.pk}/").content.decode()


def test_a_township_reads_the_filed_plans_naming_its_stations(user_client) -> None:  # type: ignore[no-untyped-def]
    """Read only, its own stations named, the others counted; a draft stays the agency's own; another township's
    plan stays out of sight (404)."""
    junxi_org = Organisation.objects.get(users__username="junxi_town")
    shipai_org = Organisation.objects.get(users__username="shipai_town")
    mine = Station.objects.filter(division__code__startswith=junxi_org.division_id, level="township").first()
    theirs = Station.objects.filter(division__code__startswith=shipai_org.division_id, level="township").first()
    assert mine is not None and theirs is not None
    harmony = Organisation.objects.get(name__contains="和谐", kind="agency")

    def plan(year: int, stations: list[Station], state: str) -> RecruitmentPlan:
        p = RecruitmentPlan.objects.create(agency=harmony, division_id="350425", year=year, full_time=2, state=state,
                                           announce_on=f"{year}-01-05", start_on=f"{year}-02-01")  # fmt: skip
        p.stations.set(stations)
        return p

    both = plan(2031, [mine, theirs], RecruitmentPlan.State.FILED)
    draft = plan(2032, [mine], RecruitmentPlan.State.DRAFT)
    other = plan(2033, [theirs], RecruitmentPlan.State.ACKNOWLEDGED)
    town = user_client("junxi_town")

    rows = {p["id"]: p for p in town.get("/api/v1/recruitment-plans/").json()["results"]}
    assert both.pk in rows and draft.pk not in rows and other.pk not in rows
    assert rows[both.pk]["stations"] == [{"id": mine.pk, "name": mine.name}]
    assert rows[both.pk]["other_stations"] == 1 and rows[both.pk]["allowed_actions"] == []
    page = town.get("/staffing/recruitment/").content.decode()
    assert f"/staffing/recruitment/{both.pk}/" in page and f"/staffing/recruitment/{other.pk}/" not in page
    detail = town.get(f"/staffing/recruitment/{both.pk}/").content.decode()
    assert mine.name in detail and theirs.name not in detail and "另有 1 个其他站点" in detail
    assert f"/staffing/recruitment/{both.pk}/acknowledge/" not in detail
    assert f"/staffing/recruitment/{both.pk}/edit/" not in detail
    for url in (f"/staffing/recruitment/{other.pk}/", f"/staffing/recruitment/{draft.pk}/",
                f"/api/v1/recruitment-plans/{other.pk}/"):  # fmt: skip
        assert town.get(url).status_code == 404
    # Read only: no edit, no acknowledgement.
    assert town.get(f"/staffing/recruitment/{both.pk}/edit/").status_code == 404
    assert town.post(f"/staffing/recruitment/{both.pk}/acknowledge/", {"note": "同意"}).status_code in (403, 404)
    both.refresh_from_db()
    assert both.state == RecruitmentPlan.State.FILED
    # The county bureau still sees every station the plan names.
    row = next(
        p
        for p in user_client("datian_bureau").get("/api/v1/recruitment-plans/").json()["results"]
        if p["id"] == both.pk
    )
    assert {s["id"] for s in row["stations"]} == {mine.pk, theirs.pk} and row["other_stations"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"heads": "0", "full_time": "0", "part_time": "0"}, "至少填写一个招聘岗位"),
        ({"start_on": "2027-01-04"}, "计划到岗日期不能早于发布招聘公告日期"),
        ({"interview_on": "2027-03-01"}, "笔试、面试日期应在发布公告之后、计划到岗之前"),
        ({"division": "469025"}, "选择一个有效的选项"),
    ],
)
def test_plan_form_explains_errors_in_chinese(user_client, change: dict[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    response = user_client("agency_sunshine").post("/staffing/recruitment/new/", {**FORM, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RecruitmentPlan.objects.filter(year=2027, agency__name__contains="阳光").exists()


def test_a_station_of_another_agency_is_refused(user_client) -> None:  # type: ignore[no-untyped-def]
    harmony = Organisation.objects.get(name__contains="和谐", kind="agency")
    sunshine = Organisation.objects.get(name__contains="阳光", kind="agency")
    theirs = (
        Station.objects.for_user(harmony.users.first())
        .filter(level="township")
        .exclude(pk__in=Station.objects.for_user(sunshine.users.first()).values("pk"))
        .first()
    )
    assert theirs is not None
    response = user_client("agency_sunshine").post("/staffing/recruitment/new/", {**FORM, "stations": [theirs.pk]})
    assert response.status_code == 400
    assert not RecruitmentPlan.objects.filter(year=2027, agency__name__contains="阳光").exists()
