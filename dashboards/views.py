"""The dashboard page for province, city and county bureaus and townships: one indicator at a time for a period,
the place's own figure against the policy's target, its children side by side (shortfalls first) as a chart with
its table beside it, the trend over the year's months, drill-down by division code, Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from core.personal.exports import attachment
from core.xlsx import XLSX_TYPE, xlsx_bytes
from stations.selectors import access_division

from .indicators import Period, indicators
from .models import BUREAUS, VIEWERS, IndicatorValue
from .selectors import children, own, stale, station_children, trend

DEFAULT_INDICATOR = "township_coverage"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class DashboardView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from core.scoping import Role, scope_of

        user = authed_user(request)
        role = scope_of(user).role
        agency = role == Role.AGENCY
        if role not in VIEWERS and role != Role.ADMIN and not agency:
            raise Http404("未找到。")
        known = indicators()
        # An agency reads only the indicators computed per station from rows it reads itself (its own stations'
        # figures; never evaluations, briefs or workers of another agency that ran the station before).
        offered = [i for i in known.values() if (i.by_station and i.agency_view) or not agency]
        code = request.GET.get("indicator") or (offered[0].code if agency else DEFAULT_INDICATOR)
        definition = known.get(code)
        if definition is None or definition not in offered:
            raise Http404("未找到。")
        today = timezone.localdate()
        try:
            period = Period.parse(request.GET.get("period") or f"{today:%Y-%m}")
        except ValueError:
            raise Http404("未找到。") from None
        if period.kind not in definition.periods:
            kind = "year" if "year" in definition.periods else definition.periods[0]
            period = Period.of(kind, period.last)
        root = parent = mine = None
        if agency:
            title = "本机构服务站点"
            rows = station_children(user, definition, period, "")
        else:
            home = user.organisation.division_id if user.organisation is not None else None
            # An administrator has no place of its own: it starts at the first province with figures.
            start = home or (
                IndicatorValue.objects.filter(level=1)
                .order_by("division_id")
                .values_list("division_id", flat=True)
                .first()
                or "11"
            )
            root = access_division(user, request.GET.get("division") or start)
            title = root.name
            # Up one level while still inside the user's own part of the tree (an administrator: anywhere).
            parent = root.parent if root.parent_id and (home is None or len(root.code) > len(home)) else None
            rows = children(user, definition, period, root.code)
            mine = own(user, definition, period, root.code)
        if request.GET.get("export") == "xlsx":
            table = [
                [
                    r.division,
                    r.name,
                    f"{r.numerator:.2f}",
                    f"{r.denominator:.2f}",
                    _pct(r.value),
                    _pct(r.target),
                    r.short_label,
                ]
                for r in rows
            ]
            data = xlsx_bytes(
                ["区划代码", "区划或站点", "分子", "分母", "指标值", "目标", "是否达标"],
                table,
                title=f"{title}{definition.name}（{period.label()}）",
                widths=[14, 20, 14, 14, 10, 10, 10],
            )
            return attachment(data, f"{title}{definition.name}-{period.text}.xlsx", XLSX_TYPE)
        computed = max((r.computed_at for r in rows), default=mine.computed_at if mine else None)
        chart = {
            "categories": [r.name for r in rows],
            "values": [None if r.value is None else float(r.value * 100) for r in rows],
            "target": None if mine is None or mine.target is None else float(mine.target * 100),
            "trend": []
            if root is None
            else [
                [m, None if v is None else float(v * 100)]
                for m, v in trend(user, definition, root.code, period.first.year)
            ],
        }
        year = period.first.year
        choices = [str(year)] + [f"{year}Q{q}" for q in range(1, 5)] + [f"{year}-{m:02d}" for m in range(1, 13)]
        periods = [Period.parse(p) for p in choices]
        return render(
            request,
            "dashboards/dashboard.html",
            {
                "definition": definition,
                "indicators": offered,
                "period": period,
                "periods": [p for p in periods if p.kind in definition.periods],
                "title": title,
                "root": root,
                "parent": parent,
                "mine": mine,
                "rows": rows,
                "chart": chart,
                "computed": computed,
                "stale": stale(computed),
                # Places link down to their own page; a township's stations are the bottom.
                "drill": root is not None and len(root.code) <= 6,
                "chart_height": max(360, 28 * len(rows) + 60),
                "manage_keys": role in BUREAUS,
            },
        )
