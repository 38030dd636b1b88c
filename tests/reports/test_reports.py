"""Reports: the calendar from policy, the brief workflow and its lock, the daily job and sweep, completeness."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from evaluation.reports import actions
from evaluation.reports.calendar import monthly_due, on_working_day
from evaluation.reports.models import BriefUnlock, MonthlyBrief, PeriodicReport
from evaluation.reports.periods import open_periods
from obligations.models import Obligation, Reminder
from obligations.sweep import run_sweep
from workdays.counting import WorkCalendar
from workdays.selectors import work_calendar

pytestmark = pytest.mark.django_db
KINDS = ["reports.monthly_brief", "reports.periodic"]


def u(name: str) -> User:
    return User.objects.get(username=name)


def town_of(brief: MonthlyBrief) -> str:
    junxi = u("junxi_town").organisation
    assert junxi is not None
    return "junxi_town" if brief.division_id.startswith(junxi.division_id) else "shipai_town"


def agency_of(brief: MonthlyBrief) -> User:
    user = User.objects.filter(organisation_id=brief.agency_id).first()
    assert user is not None
    return user


# --- due days ------------------------------------------------------------------------------------------


def test_due_day_26_in_every_month_and_the_last_day_of_short_months() -> None:
    plain = WorkCalendar(covered_years=frozenset())  # no year covered: nominal days
    assert monthly_due(2026, 5, 26, plain) == dt.date(2026, 5, 26)
    assert monthly_due(2026, 2, 30, plain) == dt.date(2026, 2, 28)
    assert monthly_due(2028, 2, 30, plain) == dt.date(2028, 2, 29)
    assert monthly_due(2026, 4, 31, plain) == dt.date(2026, 4, 30)
    assert monthly_due(2026, 1, 31, plain) == dt.date(2026, 1, 31)
    # No day in the policy: the month's last day.
    assert monthly_due(2026, 6, None, plain) == dt.date(2026, 6, 30)


def test_due_day_moves_off_weekends_and_holidays_on_the_stored_calendar() -> None:
    cal = work_calendar()
    # 2026-04-26 is a Sunday: moved to Monday 27th.
    assert dt.date(2026, 4, 26).weekday() == 6
    assert monthly_due(2026, 4, 26, cal) == dt.date(2026, 4, 27)
    # 2026-10-01..07 National Day holidays: a due day on 1 October moves to the first working day after them.
    moved = on_working_day(dt.date(2026, 10, 1), cal)
    assert moved > dt.date(2026, 10, 7) and cal.is_working_day(moved)
    # A working day stays.
    assert monthly_due(2026, 5, 26, cal) == dt.date(2026, 5, 26)
    # A year the calendar does not cover keeps the nominal day.
    assert on_working_day(dt.date(2090, 1, 1), cal) == dt.date(2090, 1, 1)


# --- the calendar --------------------------------------------------------------------------------------


def test_calendar_api_for_datian_lists_every_kind_its_policy_names(user_client) -> None:  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    data = user_client("datian_bureau").get(f"/api/v1/reports/calendar/?division=350425&year={year}").json()
    kinds = {d["kind"] for d in data}
    # Datian [000 §5(4)] monthly brief, mid-term and final reports; [000 §5(5)] half-yearly to the city and
    # the self-evaluation by 30 November. No agency self-evaluations in Datian's policy.
    assert kinds == {
        "monthly_brief",
        "mid_term_report",
        "final_report",
        "county_half_year_report",
        "county_self_evaluation",
    }
    for item in data:
        assert set(item) >= {"kind", "period", "due", "owed_by", "owed_to", "clause"}
        assert item["clause"]
    county_eval = [d for d in data if d["kind"] == "county_self_evaluation"]
    assert len(county_eval) == 1 and county_eval[0]["due"] >= f"{year}-11-30"
    assert county_eval[0]["owed_to"] is not None  # the city bureau
    briefs = [d for d in data if d["kind"] == "monthly_brief"]
    assert briefs and all(d["owed_by"]["organisation"] for d in briefs)


def test_calendar_of_a_division_without_agreement_lists_what_a_station_would_owe(user_client) -> None:  # type: ignore[no-untyped-def]
    # Baisha (469025) has a policy ("每月26日前" [002 §9(2)]) and no agreement in the demo.
    data = user_client("admin").get("/api/v1/reports/calendar/?division=469025&year=2026").json()
    briefs = [d for d in data if d["kind"] == "monthly_brief"]
    assert len(briefs) == 12 and all(d["owed_by"] is None for d in briefs)
    assert {d["period"] for d in briefs} == {f"2026-{m:02d}" for m in range(1, 13)}
    cal = work_calendar()
    for d in briefs:
        day = dt.date.fromisoformat(d["due"])
        assert day.day >= 26 and cal.is_working_day(day) and d["clause"] == "[002 §9(2)]"


def test_calendar_refuses_outside_and_bad_input(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    assert bureau.get("/api/v1/reports/calendar/?division=469025&year=2026").status_code == 404
    assert bureau.get("/api/v1/reports/calendar/?division=350425&year=abc").status_code == 400
    assert bureau.get("/api/v1/reports/calendar/?year=2026").status_code == 400


# --- the daily job and the sweep ----------------------------------------------------------------------


def test_open_periods_and_sweep_twice_raise_each_reminder_once() -> None:
    today = timezone.localdate()
    first = open_periods(today=today, division="350425")
    again = open_periods(today=today, division="350425")
    assert again.briefs == 0 and again.reports == 0
    assert MonthlyBrief.objects.filter(period=f"{today:%Y-%m}").exists() or first.briefs == 0
    # Move to the day after every open brief's due day: each is flagged overdue once.
    later = max(MonthlyBrief.objects.values_list("due_date", flat=True)) + dt.timedelta(days=1)
    run_sweep(today=later, kind_keys=KINDS)
    reminders = Reminder.objects.filter(obligation__kind__in=KINDS).count()
    overdue = Obligation.objects.filter(kind="reports.monthly_brief", state=Obligation.State.OVERDUE).count()
    assert overdue > 0
    second = run_sweep(today=later, kind_keys=KINDS)
    assert all(k.reminders == 0 and k.created == 0 for k in second.kinds)
    assert Reminder.objects.filter(obligation__kind__in=KINDS).count() == reminders
    stages = Reminder.objects.filter(obligation__kind="reports.monthly_brief").values_list("obligation_id", "stage")
    assert len(list(stages)) == len(set(stages))


def test_a_handed_in_brief_is_done_and_a_returned_one_owed_again() -> None:
    brief = MonthlyBrief.objects.filter(state=MonthlyBrief.State.SUBMITTED).first()
    assert brief is not None
    run_sweep(kind_keys=["reports.monthly_brief"])
    draft = MonthlyBrief.objects.filter(state=MonthlyBrief.State.DRAFT).first()
    assert Obligation.objects.filter(kind="reports.monthly_brief", object_id=draft.pk).exclude(state="done").exists()
    assert not Obligation.objects.filter(kind="reports.monthly_brief", object_id=brief.pk).exists()


# --- the workflow -------------------------------------------------------------------------------------


def _brief(state: str) -> MonthlyBrief:
    return MonthlyBrief.objects.select_related("station").filter(state=state, division__pk__startswith="350425").first()


def test_returned_brief_is_resubmitted_and_accepted_with_who_and_when(user_client) -> None:  # type: ignore[no-untyped-def]
    brief = _brief(MonthlyBrief.State.SUBMITTED)
    town = town_of(brief)
    agency = agency_of(brief)
    # The township returns it with comments (an empty comment is refused).
    with pytest.raises(ValidationError):
        actions.brief_return_township(acting_user=u(town), brief=brief, comment=" ")
    actions.brief_return_township(acting_user=u(town), brief=brief, comment="请补充数据来源说明。")
    brief.refresh_from_db()
    assert brief.state == "returned" and brief.returned_by == u(town) and brief.returned_at is not None
    first = brief.first_submitted_at
    # The agency edits and submits again through the API; allowed_actions follow the state.
    client = user_client(agency.username)
    detail = client.get(f"/api/v1/reports/briefs/{brief.pk}/").json()
    assert {a["action"] for a in detail["allowed_actions"]} == {"reports.brief_edit", "reports.brief_submit"}
    assert (
        client.patch(
            f"/api/v1/reports/briefs/{brief.pk}/", {"problems": "已补充。"}, content_type="application/json"
        ).status_code
        == 200
    )
    response = client.post(f"/api/v1/reports/briefs/{brief.pk}/submit/")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    brief.refresh_from_db()
    assert first is not None and brief.submitted_at is not None
    assert brief.first_submitted_at == first and brief.submitted_at > first
    # Township review, bureau accept.
    assert user_client(town).post(f"/api/v1/reports/briefs/{brief.pk}/review/").json()["state"] == "reviewed"
    accepted = user_client("datian_bureau").post(f"/api/v1/reports/briefs/{brief.pk}/accept/").json()
    assert accepted["state"] == "accepted" and accepted["accepted_by"] == u("datian_bureau").pk
    assert {a["action"] for a in accepted["allowed_actions"]} == {"reports.brief_unlock"}


def test_locked_brief_refuses_edits_except_under_an_unexpired_exception(user_client) -> None:  # type: ignore[no-untyped-def]
    brief = _brief(MonthlyBrief.State.ACCEPTED)
    agency = agency_of(brief)
    with pytest.raises(PermissionDenied):
        actions.brief_edit(acting_user=agency, brief=brief, data={"narrative": "改"})
    client = user_client(agency.username)
    assert (
        client.patch(
            f"/api/v1/reports/briefs/{brief.pk}/", {"narrative": "改"}, content_type="application/json"
        ).status_code
        == 404
    )
    bureau = u("datian_bureau")
    with pytest.raises(ValidationError):
        actions.brief_unlock(
            acting_user=bureau, brief=brief, reason="更正", expires_at=timezone.now() - dt.timedelta(hours=1)
        )
    # An expired exception (written straight, as time passing would leave it) does not open it.
    BriefUnlock.objects.create(
        brief=brief,
        division_id=brief.division_id,
        reason="旧",
        expires_at=timezone.now() - dt.timedelta(minutes=1),
        granted_by=bureau,
    )
    with pytest.raises(PermissionDenied):
        actions.brief_edit(acting_user=agency, brief=brief, data={"narrative": "改"})
    response = user_client("datian_bureau").post(
        f"/api/v1/reports/briefs/{brief.pk}/unlock/",
        {"reason": "服务数据录入有误，需更正", "expires_at": (timezone.now() + dt.timedelta(days=2)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200
    actions.brief_edit(acting_user=agency, brief=brief, data={"narrative": "更正后的概述"})
    brief.refresh_from_db()
    assert brief.narrative == "更正后的概述" and brief.state == "accepted"
    from core.models import AuditLog

    assert AuditLog.objects.filter(object_type="evaluation.BriefUnlock").exists()


def test_wrong_roles_cannot_take_steps(user_client) -> None:  # type: ignore[no-untyped-def]
    brief = _brief(MonthlyBrief.State.REVIEWED)
    for name in ("agency_sunshine", "agency_harmony", "junxi_town", "shipai_town", "evaluator", "fj_province"):
        assert user_client(name).post(f"/api/v1/reports/briefs/{brief.pk}/accept/").status_code == 404, name
    brief.refresh_from_db()
    assert brief.state == "reviewed"


# --- pages --------------------------------------------------------------------------------------------


def test_pages_for_each_role(user_client) -> None:  # type: ignore[no-untyped-def]
    brief = _brief(MonthlyBrief.State.SUBMITTED)
    for name in (
        "datian_bureau",
        "junxi_town",
        "shipai_town",
        "agency_sunshine",
        "agency_harmony",
        "fj_province",
        "evaluator",
        "admin",
    ):
        client = user_client(name)
        for url in (
            "/reports/",
            "/reports/queue/",
            "/reports/periodic/",
            "/reports/calendar/",
            "/reports/completeness/",
        ):
            response = client.get(url)
            assert response.status_code == 200, (name, url)
            body = response.content.decode()
            assert "<script>" not in body
    town = user_client(town_of(brief))
    body = town.get("/reports/queue/").content.decode()
    assert f"/reports/briefs/{brief.pk}/" in body
    assert (
        user_client("datian_bureau").get(f"/reports/briefs/{brief.pk}/?export=pdf")["Content-Type"] == "application/pdf"
    )
    xlsx = user_client("datian_bureau").get(f"/reports/completeness/?division=350425&period={brief.period}&export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_agency_edits_and_submits_from_the_editor(user_client) -> None:  # type: ignore[no-untyped-def]
    brief = _brief(MonthlyBrief.State.DRAFT)
    agency = agency_of(brief)
    client = user_client(agency.username)
    page = client.get(f"/reports/briefs/{brief.pk}/edit/")
    assert page.status_code == 200 and "本月工作概述" in page.content.decode()
    # Submitting without the narrative is refused with a Chinese message.
    response = client.post(f"/reports/briefs/{brief.pk}/edit/", {"narrative": "", "then": "submit"})
    assert "请先填写本月工作概述" in response.content.decode()
    response = client.post(f"/reports/briefs/{brief.pk}/edit/", {"narrative": "本月开展服务。", "then": "submit"})
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.state == "submitted" and brief.figures["sections"]
    # Other agencies and the township may not open the editor.
    other = "agency_harmony" if agency.username == "agency_sunshine" else "agency_sunshine"
    assert user_client(other).get(f"/reports/briefs/{brief.pk}/edit/").status_code == 404


# --- completeness -------------------------------------------------------------------------------------


def test_completeness_counts_and_rates(user_client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    period = MonthlyBrief.objects.filter(state="accepted").values_list("period", flat=True).first()
    handed = MonthlyBrief.objects.filter(period=period, first_submitted_at__isnull=False).count()
    client = user_client("datian_bureau")
    data = client.get(f"/api/v1/completeness/?division=350425&period={period}").json()
    total = data["total"]
    assert total["submitted"] == handed and total["expected"] >= handed
    assert total["on_time"] == handed  # the demo hands them in before the due day
    assert sum(r["expected"] for r in data["rows"]) == total["expected"]
    # Province level: the same numbers, in a fixed number of queries.
    province = user_client("fj_province").get(f"/api/v1/completeness/?division=35&period={period}").json()
    assert province["total"]["submitted"] == handed
    assert client.get("/api/v1/completeness/?division=350425&period=2026-13").status_code == 400
    assert client.get("/api/v1/completeness/?division=469025&period=2026-01").status_code == 404


def test_completeness_queries_do_not_grow_with_the_subtree(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from evaluation.reports.selectors import completeness
    from stations.models import Division

    user = u("fj_province")
    with django_assert_max_num_queries(12):
        completeness(user, Division.objects.get(code="35"), "2026-10")
    with django_assert_max_num_queries(12):
        completeness(user, Division.objects.get(code="350425"), "2026-10")


def test_periodic_report_submitted_by_its_owner_only(user_client) -> None:  # type: ignore[no-untyped-def]
    # The demo opens what is owed on the day it loads; Datian's self-evaluation is due by 30 November [000 §5(5)],
    # so from December on the demo holds none: open the year's periods as on a day inside its window.
    open_periods(today=dt.date(timezone.localdate().year, 6, 1), division="350425")
    report = PeriodicReport.objects.filter(kind="county_self_evaluation", state="draft").first()
    assert report is not None
    assert (
        user_client("junxi_town").post(f"/api/v1/reports/periodic/{report.pk}/submit/", {"content": "x"}).status_code
        == 404
    )
    response = user_client("datian_bureau").post(
        f"/api/v1/reports/periodic/{report.pk}/submit/",
        {"content": "本年度绩效自评如下。"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "submitted"


def test_division_pages_refuse_outside(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    for url in (
        "/reports/calendar/?division=469025",
        "/reports/completeness/?division=469025",
        "/reports/completeness/?division=469025&export=xlsx",
        "/reports/calendar/?division=35",
    ):
        assert bureau.get(url).status_code == 404, url
    assert bureau.get("/reports/calendar/?division=350425").status_code == 200
    agency = user_client("agency_sunshine")
    assert agency.get("/reports/completeness/?division=35").status_code == 404
    assert agency.get("/api/v1/reports/calendar/?division=3504&year=2026").status_code == 404
    assert agency.get("/api/v1/reports/calendar/?division=350425&year=2026").status_code == 200


def test_home_pages_show_the_queue_and_the_overdue_briefs(user_client) -> None:  # type: ignore[no-untyped-def]
    submitted = _brief(MonthlyBrief.State.SUBMITTED)
    reviewed = _brief(MonthlyBrief.State.REVIEWED)
    town_body = user_client(town_of(submitted)).get("/").content.decode()
    assert "待乡镇审核的简报" in town_body and f"/reports/briefs/{submitted.pk}/" in town_body
    bureau_body = user_client("datian_bureau").get("/").content.decode()
    assert "待验收的简报" in bureau_body and f"/reports/briefs/{reviewed.pk}/" in bureau_body
    # A draft past its due day is on the bureau's overdue list.
    draft = _brief(MonthlyBrief.State.DRAFT)
    MonthlyBrief.objects.filter(pk=draft.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    bureau_body = user_client("datian_bureau").get("/").content.decode()
    assert "逾期未报送" in bureau_body and f"/reports/briefs/{draft.pk}/" in bureau_body


def test_brief_figures_come_from_service_and_staffing_records(demo: None) -> None:
    """The brief shows what services and staffing recorded (issue 11 item 2): nobody types these numbers."""
    from django.utils import timezone

    from evaluation.reports.prefill import brief_figures
    from services.models import ServiceRecord, Visit
    from staffing.models import Assignment

    today = timezone.localdate()
    record = ServiceRecord.objects.filter(date__year=today.year, date__month=today.month).order_by("pk").first()
    assert record is not None, "the demo records services this month"
    station = record.station
    figures = brief_figures(station, f"{today:%Y-%m}")
    sections = {s["title"]: {r["label"]: r["value"] for r in s["rows"]} for s in figures["sections"]}
    month = ServiceRecord.objects.filter(station=station, date__year=today.year, date__month=today.month)
    assert sections["服务开展"]["服务记录（条）"] == str(month.count())
    visits = Visit.objects.filter(station=station, date__year=today.year, date__month=today.month).count()
    assert sections["服务开展"]["巡访探视（次）"] == str(visits)
    in_post = Assignment.objects.filter(station=station, end_date__isnull=True, start_date__lte=today).count()
    team = sections["驻站社工"]
    assert sum(int(v) for k, v in team.items() if k.endswith("（人）")) == in_post
