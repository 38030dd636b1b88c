"""The figures of a monthly brief, from the records (never typed by the agency).

``brief_figures(station, period)`` is the one place a brief's numbers come from: the page, the API and the PDF
show its answer while the brief is open, and the brief keeps a copy of it when it is handed in and when it is
accepted. Today it reads what the platform records: the station, the agreement in force and the station's
obligations. The services and staffing numbers (services by domain and item, hours and professional share,
beneficiaries, visits and open escalations, volunteers, team changes) join here as sections of their own when
those apps are merged.

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
            {"title": "待办事项", "rows": obligation_rows},
        ],
    }
