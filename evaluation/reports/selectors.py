"""Reads for the reports pages and API: completeness and timeliness, the township's queue, the bureau's overdue
list. Everything through ``for_user``; completeness set-based (a fixed number of queries whatever the size of
the subtree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from contracts.models import Contract
from core.scoping import Action
from stations.models import Division, Station

from .calendar import IN_FORCE, month_end
from .models import MonthlyBrief

CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12}


@dataclass
class Row:
    key: str  # a division code, or a station id (below a township)
    name: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def submitted_rate(self) -> Decimal | None:
        return _rate(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.expected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "expected": self.expected,
            "submitted": self.submitted,
            "on_time": self.on_time,
            "submitted_rate": _text(self.submitted_rate),
            "on_time_rate": _text(self.on_time_rate),
        }


@dataclass
class Completeness:
    division: Division
    period: str
    by: str  # "division" or "station"
    total: Row
    rows: list[Row] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "division": self.division.code,
            "division_name": self.division.name,
            "period": self.period,
            "rows_are": self.by,
            "total": self.total.as_dict(),
            "rows": [r.as_dict() for r in self.rows],
        }


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def report_division(actor: Any, code: str) -> Division:
    """The division whose calendar or completeness ``actor`` may ask for; else 404 (like an object out of scope).

    Bureaus and townships: their own subtree (not the ancestors they may read as names). Agencies and evaluators:
    a county, or a division below it, where they see a station. The system administrator: any."""
    from django.http import Http404

    from core.scoping import Role, scope_of

    scope = scope_of(actor)
    code = (code or "").strip()
    division = Division.objects.for_user(actor, Action.VIEW).filter(code=code).first() if code else None
    if division is None:
        raise Http404("未找到。")
    if scope.is_global:
        return division
    if scope.role in (Role.AGENCY, Role.EVALUATOR):
        if len(code) >= 6 and any(
            s.startswith(code) or code.startswith(s[:6])
            for s in Station.objects.for_user(actor, Action.VIEW).values_list("division_id", flat=True)
        ):
            return division
        raise Http404("未找到。")
    if any(code.startswith(root) for root in scope.roots):
        return division
    raise Http404("未找到。")


def parse_period(text: str) -> list[str]:
    """``YYYY-MM`` → that month; ``YYYY`` → its twelve months. ValueError otherwise."""
    text = (text or "").strip()
    if len(text) == 4 and text.isdigit():
        year = int(text)
        if not 2000 <= year <= 2100:
            raise ValueError(text)
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    year, month = (int(x) for x in text.split("-"))
    if not (2000 <= year <= 2100 and 1 <= month <= 12) or len(text) != 7:
        raise ValueError(text)
    return [f"{year}-{month:02d}"]


def completeness(actor: Any, division: Division, period: str, *, per_station: bool = False) -> Completeness:
    """Expected briefs (stations under an agreement in force in the month), handed in, handed in on time, per
    child division (or per station below a township, or wherever ``per_station`` asks for it). Queries: one for
    the child names, then two per month
    (expected; handed in and on time), whatever the number of stations."""
    months = parse_period(period)
    code = division.code
    child_len = CHILD_LENGTH.get(len(code))
    by_station = per_station or child_len is None or child_len == 12
    stations = Station.objects.for_user(actor, Action.VIEW).filter(division__pk__startswith=code)
    if by_station:
        names = {str(pk): name for pk, name in stations.order_by("division_id", "name").values_list("pk", "name")}
    else:
        names = dict(
            Division.objects.for_user(actor, Action.VIEW)
            .filter(parent_id=code)
            .order_by("code")
            .values_list("code", "name")
        )
    rows: dict[str, Row] = {k: Row(k, v) for k, v in names.items()}
    group = F("pk") if by_station else Substr("division_id", 1, child_len)
    brief_group = F("station_id") if by_station else Substr("division_id", 1, child_len)
    contracts = Contract.objects.for_user(actor, Action.VIEW).filter(status__in=IN_FORCE)
    for month in months:
        year, m = (int(x) for x in month.split("-"))
        first, last = dt.date(year, m, 1), month_end(year, m)
        in_force = contracts.filter(start_date__lte=last, end_date__gte=first).exclude(
            status=Contract.Status.TERMINATED, terminated_date__lt=first
        )
        expected = (
            stations.filter(contracts__in=in_force.values("pk"))
            .annotate(g=group)
            .values("g")
            .annotate(n=Count("pk", distinct=True))
            .values_list("g", "n")
        )
        for g, n in expected:
            rows.setdefault(str(g), Row(str(g), str(g))).expected += n
        handed = (
            MonthlyBrief.objects.for_user(actor, Action.VIEW)
            .filter(period=month, division__pk__startswith=code, first_submitted_at__isnull=False)
            .annotate(g=brief_group)
            .values("g")
            .annotate(
                n=Count("pk"),
                on_time=Count("pk", filter=Q(first_submitted_at__date__lte=F("due_date"))),
            )
            .values_list("g", "n", "on_time")
        )
        for g, n, on_time in handed:
            row = rows.setdefault(str(g), Row(str(g), str(g)))
            row.submitted += n
            row.on_time += on_time
    total = Row(code, division.name)
    for r in rows.values():
        total.expected += r.expected
        total.submitted += r.submitted
        total.on_time += r.on_time
    return Completeness(
        division=division,
        period=period,
        by="station" if by_station else "division",
        total=total,
        rows=list(rows.values()),
    )


def review_queue(actor: Any) -> QuerySet[MonthlyBrief]:
    """The briefs waiting for the caller's step: a township's submitted ones, a county bureau's reviewed ones."""
    from core.scoping import Role, scope_of

    role = scope_of(actor).role
    waiting = {Role.TOWNSHIP: MonthlyBrief.State.SUBMITTED, Role.COUNTY_BUREAU: MonthlyBrief.State.REVIEWED}.get(role)
    qs = MonthlyBrief.objects.for_user(actor, Action.CHANGE).select_related("station", "agency")
    return qs.filter(state=waiting).order_by("due_date", "pk") if waiting else qs.none()


def overdue_briefs(actor: Any, today: dt.date | None = None) -> QuerySet[MonthlyBrief]:
    """Briefs past their due day and not handed in."""
    today = today or timezone.localdate()
    return (
        MonthlyBrief.objects.for_user(actor, Action.VIEW)
        .filter(due_date__lt=today)
        .exclude(state__in=MonthlyBrief.HANDED_IN)
        .select_related("station", "agency")
        .order_by("due_date", "division_id", "pk")
    )
