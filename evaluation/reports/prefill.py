"""The figures of a monthly brief, from the records (never typed by the agency).

``brief_figures(station, period)`` is the one place a brief's numbers come from: the page, the API and the PDF
show its answer while the brief is open, and the brief keeps a copy of it when it is handed in and when it is
accepted. Today it reads what the platform records: the station, the agreement in force and the station's
obligations, the services recorded in the month (by domain, hours and the professional share, beneficiaries
served, visits and open escalations) and the team (who is in post by role, who joined and who left).

The answer is plain JSON: ``{"period": "2026-05", "sections": [{"title": …, "rows": [{"label": …,
"value": …}]}]}`` with every value a string, so a section added later needs no change to the pages.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from typing import Any

from django.db.models import Count, Q

from core.scoping import Action
from core.system import system_actor


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, _calendar.monthrange(year, month)[1])


def _zh(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def brief_figures(station: Any, period: str) -> dict[str, Any]:
    """The period's figures of ``station`` (read as the system actor: the caller has already been given the
    brief through its own scope). A fixed number of queries: two."""
    from contracts.models import Contract
    from obligations.models import Obligation
    from stations.models import Station

    actor = system_actor()
    first, last = period_bounds(period)
    contract = (
        Contract.objects.for_user(actor, Action.VIEW)
        .filter(stations=station, start_date__lte=last, end_date__gte=first)
        .select_related("agency", "buyer")
        .order_by("-start_date")
        .first()
    )
    counts = (
        Obligation.objects.for_user(actor, Action.VIEW)
        .filter(
            Q(content_type__app_label="stations", content_type__model="station", object_id=station.pk)
            | Q(division_id=station.division_id)
        )
        .aggregate(
            open=Count("pk", filter=Q(state__in=Obligation.OPEN_STATES)),
            overdue=Count("pk", filter=Q(state=Obligation.State.OVERDUE)),
            done=Count("pk", filter=Q(state=Obligation.State.DONE, done_at__date__gte=first, done_at__date__lte=last)),
        )
    )
    station_rows = [
        {"label": "站点层级", "value": Station.Level(station.level).label},
        {"label": "运营状态", "value": Station.Status(station.status).label},
        {
            "label": "场地面积（平方米）",
            "value": str(station.floor_area) if station.floor_area is not None else "未录入",
        },
        {"label": "挂牌日期", "value": _zh(station.plaque_date)},
    ]
    contract_rows = (
        [
            {"label": "协议编号", "value": contract.number},
            {"label": "承接机构", "value": contract.agency.name},
            {"label": "服务期限", "value": f"{_zh(contract.start_date)}至{_zh(contract.end_date)}"},
            {
                "label": "年度金额（元）",
                "value": str(contract.amount_per_year) if contract.amount_per_year is not None else "未录入",
            },
        ]
        if contract is not None
        else [{"label": "服务协议", "value": "本月无履行中的协议"}]
    )
    obligation_rows = [
        {"label": "本月办结待办", "value": str(counts["done"])},
        {"label": "未办结待办", "value": str(counts["open"])},
        {"label": "其中已逾期", "value": str(counts["overdue"])},
    ]
    return {
        "period": period,
        "sections": [
            {"title": "站点情况", "rows": station_rows},
            {"title": "服务协议", "rows": contract_rows},
            {"title": "服务开展", "rows": _service_rows(actor, station, first, last)},
            {"title": "驻站社工", "rows": _team_rows(actor, station, first, last)},
            {"title": "待办事项", "rows": obligation_rows},
        ],
    }


def _service_rows(actor: Any, station: Any, first: dt.date, last: dt.date) -> list[dict[str, str]]:
    """The month's service records of the station (services.selectors.monthly_summary: the professional share is
    computed, never typed [003 §2(2)]), people served, visits and escalations still open. Five queries."""
    from services.models import Escalation, ServiceRecord, Visit
    from services.selectors import monthly_summary

    records = ServiceRecord.objects.for_user(actor, Action.VIEW).filter(station=station)
    summary = monthly_summary(records, first.year, first.month)
    served = (
        records.filter(date__gte=first, date__lte=last, beneficiaries__isnull=False)
        .values("beneficiaries")
        .distinct()
        .count()
    )
    visits = Visit.objects.for_user(actor, Action.VIEW).filter(station=station, date__gte=first, date__lte=last)
    open_escalations = (
        Escalation.objects.for_user(actor, Action.VIEW).filter(station=station, status=Escalation.Status.OPEN).count()
    )
    share = summary["share"]
    rows = [
        {"label": "服务记录（条）", "value": str(summary["records"])},
        {"label": "服务时长（小时）", "value": f"{summary['total_hours']:.1f}"},
        {"label": "专业服务时长（小时）", "value": f"{summary['professional_hours']:.1f}"},
        {"label": "专业服务时长占比", "value": "—" if share is None else f"{share * 100:.1f}%"},
        {"label": "服务对象（人）", "value": str(served)},
        {"label": "活动参与（人次）", "value": str(summary["participants"])},
        {"label": "巡访探视（次）", "value": str(visits.count())},
        {"label": "未处置的探访异常", "value": str(open_escalations)},
    ]
    domains: dict[str, int] = {}
    for row in summary["by_item"]:
        name = row["item__domain__name"] or "行政事务"
        domains[name] = domains.get(name, 0) + row["n"]
    rows.extend({"label": f"其中：{name}（条）", "value": str(n)} for name, n in domains.items())
    return rows


def _team_rows(actor: Any, station: Any, first: dt.date, last: dt.date) -> list[dict[str, str]]:
    """Who is in post at the month's end by role, and the month's arrivals and departures. Two queries."""
    from django.db.models import Q as _Q

    from staffing.models import Assignment, StaffRole

    rows = list(
        Assignment.objects.for_user(actor, Action.VIEW)
        .filter(station=station)
        .filter(_Q(end_date__isnull=True) | _Q(end_date__gte=first), start_date__lte=last)
        .select_related("worker")
        .order_by("start_date", "pk")
    )
    in_post = [a for a in rows if a.end_date is None or a.end_date >= last]
    out = [
        {"label": f"{label}（人）", "value": str(sum(1 for a in in_post if a.role == role))}
        for role, label in StaffRole.choices
    ]
    joined = [a.worker.name for a in rows if a.start_date >= first]
    left = [a.worker.name for a in rows if a.end_date is not None and first <= a.end_date < last]
    out.append({"label": "本月到岗", "value": "、".join(joined) or "无"})
    out.append({"label": "本月离岗", "value": "、".join(left) or "无"})
    return out
