"""The summary of an area for provincial and city bureaus (issue 13 item 11): its child divisions side by
side — stations by level and status, contracts in force and ending — on one screen, with a chart, and a
drill-down from province to city to county to the stations of a township.

Every number is read through ``for_user``; each table is one grouped query, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.http import authed_user
from accounts.models import User
from contracts.models import Contract
from core.scoping import Role, scope_of
from stations.models import Division, Station
from stations.selectors import access_division, incomplete_q

CONTRACT_WARNING_DAYS = 60
CHILD_LENGTH = {None: 2, 2: 4, 4: 6, 6: 9}
SUMMARY_ROLES = frozenset({Role.ADMIN, Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU})


def _by_child(qs: QuerySet, path: str, length: int, *fields: str) -> list[tuple[Any, ...]]:
    return list(
        qs.order_by().annotate(child=Substr(path, 1, length)).values_list("child", *fields).annotate(n=Count("pk"))
    )


def area_summary(user: User, division: Division | None) -> dict[str, Any]:
    """Child divisions of ``division`` (the provinces when None) with their figures; 4 queries in all."""
    today = timezone.localdate()
    length = CHILD_LENGTH.get(len(division.code) if division else None, 9)
    stations = Station.objects.for_user(user)
    contracts = Contract.objects.for_user(user)
    visible = Division.objects.for_user(user)
    if division is not None:
        stations = stations.filter(division__code__startswith=division.code)
        contracts = contracts.filter(division__code__startswith=division.code)
        children = visible.filter(parent_id=division.code)
    else:
        children = visible.filter(level=Division.Level.PROVINCE)
    levels = Station.Level.choices
    statuses = Station.Status.choices
    rows: dict[str, dict[str, Any]] = {
        d.code: {
            "division": d,
            "levels": dict.fromkeys((v for v, _ in levels), 0),
            "statuses": dict.fromkeys((v for v, _ in statuses), 0),
            "total": 0,
            "incomplete": 0,
            "in_force": 0,
            "ending": 0,
        }
        for d in children.order_by("code")
    }
    for child, level, status, n in _by_child(stations, "division_id", length, "level", "status"):
        row = rows.get(child)
        if row is None:
            continue
        row["levels"][level] += n
        row["statuses"][status] += n
        row["total"] += n
    for child, n in _by_child(stations.filter(incomplete_q()), "division_id", length):
        if child in rows:
            rows[child]["incomplete"] = n
    in_force = contracts.filter(status=Contract.Status.ACTIVE, start_date__lte=today, end_date__gte=today)
    ending = Q(end_date__lte=today + dt.timedelta(days=CONTRACT_WARNING_DAYS))
    for child, is_ending, n in _by_child(in_force.annotate(is_ending=ending), "division_id", length, "is_ending"):
        if child in rows:
            rows[child]["in_force"] += n
            if is_ending:
                rows[child]["ending"] += n
    table = list(rows.values())
    for row in table:
        row["level_counts"] = [row["levels"][v] for v, _ in levels]
        row["status_counts"] = [row["statuses"][v] for v, _ in statuses]
    totals = {
        "total": sum(r["total"] for r in table),
        "level_counts": [sum(r["levels"][v] for r in table) for v, _ in levels],
        "status_counts": [sum(r["statuses"][v] for r in table) for v, _ in statuses],
        "in_force": sum(r["in_force"] for r in table),
        "ending": sum(r["ending"] for r in table),
        "incomplete": sum(r["incomplete"] for r in table),
    }
    chart = {
        "categories": [r["division"].name for r in table],
        "series": [{"name": label, "data": [r["statuses"][value] for r in table]} for value, label in statuses],
    }
    return {
        "area": division,
        "area_path": [*division.ancestors(), division] if division is not None else [],
        "levels": levels,
        "statuses": statuses,
        "summary_rows": table,
        "summary_totals": totals,
        "summary_chart": chart,
        "child_is_township": length == 9,
        "warning_days": CONTRACT_WARNING_DAYS,
        "today": today,
    }


class AreaSummaryView(LoginRequiredMixin, TemplateView):
    """``/overview/<code>/``: the same summary for any division in the bureau's subtree (the drill-down)."""

    template_name = "home/area_summary.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        if scope_of(user).role not in SUMMARY_ROLES:
            raise Http404("无权查看该页面。")
        division = access_division(user, self.kwargs["code"])
        root = getattr(getattr(user, "organisation", None), "division_id", "") or ""
        own_subtree = scope_of(user).is_global or division.code.startswith(root)
        # Only the bureau's own subtree (not the ancestors it may read), and down to the county.
        if not own_subtree or division.level >= Division.Level.TOWNSHIP:
            raise Http404("不存在或不在您的权限范围内。")
        context.update(area_summary(user, division))
        context["home_root_length"] = 0 if scope_of(user).is_global else len(root)
        return context
