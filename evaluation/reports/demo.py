"""Demo data of the reports (called once from home.demo.load_demo): the current period opened by the daily job,
and last month's briefs of the first townships in every state of the workflow, moved by the declared actions
as the demo users, so each home page and queue has real work to show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from contracts.models import Contract

from . import actions
from .calendar import month_end, monthly_due
from .models import MonthlyBrief
from .periods import open_periods

COUNTY = "350425"
NARRATIVE = "本月按任务书开展入户走访、个案服务和小组活动，完成社区需求调查一次，服务对象反馈良好。"


def load(today: dt.date | None = None) -> None:
    from workdays.selectors import work_calendar

    today = today or timezone.localdate()
    open_periods(today=today, division=COUNTY)
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    period = f"{previous:%Y-%m}"
    if MonthlyBrief.objects.filter(period=period, division__pk__startswith=COUNTY).exists():
        return
    due = monthly_due(previous.year, previous.month, None, work_calendar())
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["agency_sunshine", "agency_harmony", "junxi_town", "shipai_town", "datian_bureau"]
        )
    }
    if len(users) < 5:
        return
    contracts = (
        Contract.objects.filter(division__pk__startswith=COUNTY, status=Contract.Status.ACTIVE, township__isnull=False)
        .filter(start_date__lte=month_end(previous.year, previous.month), end_date__gte=previous)
        .select_related("agency", "division")
        .prefetch_related("stations")
        .order_by("division_id")
    )
    steps = ["accepted", "reviewed", "submitted", "returned", "draft", "draft"]
    towns = [users["junxi_town"], users["shipai_town"]]
    pairs = []
    for town_user in towns:
        for contract in contracts:
            if town_user.organisation is not None and contract.division_id == town_user.organisation.division_id:
                pairs += [
                    (contract, station, town_user)
                    for station in sorted(contract.stations.all(), key=lambda s: s.division_id)
                ]
    for (contract, station, town_user), target in zip(pairs, steps, strict=False):
        brief = MonthlyBrief.objects.create(
            station=station,
            contract=contract,
            agency=contract.agency,
            division_id=station.division_id,
            period=period,
            due_date=due,
            rule_key="report.agency_reports",
            clause="[000 §5(4)]",
        )
        agency_user = next(u for u in users.values() if u.organisation_id == contract.agency_id)
        if target == "draft":
            continue
        actions.brief_edit(
            acting_user=agency_user,
            brief=brief,
            data={"narrative": NARRATIVE, "next_plan": "继续开展困境儿童探访和老年人关爱服务。"},
        )
        actions.brief_submit(acting_user=agency_user, brief=brief)
        # Handed in on time (the demo is loaded after the due day).
        MonthlyBrief.objects.filter(pk=brief.pk).update(
            first_submitted_at=timezone.make_aware(dt.datetime.combine(due - dt.timedelta(days=2), dt.time(10)))
        )
        if target == "submitted":
            continue
        if target == "returned":
            actions.brief_return_township(acting_user=town_user, brief=brief, comment="请补充本月个案服务的进展情况。")
            continue
        actions.brief_review(acting_user=town_user, brief=brief)
        if target == "accepted":
            actions.brief_accept(acting_user=users["datian_bureau"], brief=brief)
