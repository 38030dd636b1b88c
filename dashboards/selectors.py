"""Reading the indicator table through the door: the rows of a place's children (or of a level below it) for one
indicator and period, each with the policy's target for the year and whether it falls short; a place's trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .indicators import Indicator, Period, indicators, target_of
from .models import IndicatorValue, StationIndicatorValue

LEVELS = {"province": 1, "city": 2, "county": 3, "township": 4}


@dataclass
class Row:
    division: str
    name: str
    level: int
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None
    target: Decimal | None
    computed_at: dt.datetime
    station: int | None = None
    ceiling: Decimal | None = None

    @property
    def over(self) -> bool:
        """Above the indicator's ceiling (relief money beyond its cap)."""
        return self.ceiling is not None and self.value is not None and self.value > self.ceiling

    @property
    def value_pct(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"

    @property
    def target_pct(self) -> str:
        return "—" if self.target is None else f"{self.target * 100:.1f}%"

    @property
    def short(self) -> bool:
        return self.over or (self.target is not None and (self.value is None or self.value < self.target))

    @property
    def short_label(self) -> str:
        return "超上限" if self.over else "未达标" if self.short else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "division": self.division,
            "name": self.name,
            "level": self.level,
            "numerator": f"{self.numerator:.2f}",
            "denominator": f"{self.denominator:.2f}",
            "value": None if self.value is None else f"{self.value:.4f}",
            "target": None if self.target is None else f"{self.target:.4f}",
            "short": self.short,
            "computed_at": self.computed_at.isoformat(),
            **({"station": self.station} if self.station is not None else {}),
        }


def values(user: Any, indicator: str, period: str) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.for_user(user).filter(indicator=indicator, period=period)  # type: ignore[attr-defined,no-any-return]


def station_values(user: Any, indicator: str, period: str) -> QuerySet[StationIndicatorValue]:
    """A station's own figures the user sees; an agency none of an indicator not offered to agencies (its station
    figure counts rows of whichever agency ran the station, a predecessor's included)."""
    from core.scoping import Role, scope_of

    qs = StationIndicatorValue.objects.for_user(user).filter(indicator=indicator, period=period)  # type: ignore[attr-defined]
    definition = indicators().get(indicator)
    if scope_of(user).role == Role.AGENCY and (definition is None or not definition.agency_view):
        return qs.none()  # type: ignore[no-any-return]
    return qs  # type: ignore[no-any-return]


def station_rows(rows: list[StationIndicatorValue]) -> list[Row]:
    """A station's own figures (level 0; no policy target: targets are set for places)."""
    return [
        Row(
            r.station.division_id,
            r.station.name,
            0,
            r.numerator,
            r.denominator,
            r.value,
            None,
            r.computed_at,
            station=r.station_id,
        )
        for r in rows
    ]


def request_actor(request: Any) -> Any:
    """Who reads: the logged-in user, or the read-only service account an API key names (dashboards.keys)."""
    from rest_framework.exceptions import NotAuthenticated

    user = request.user
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("请先登录或提供有效的接口密钥。")
    return user


def with_targets(definition: Indicator, period: Period, rows: list[IndicatorValue]) -> list[Row]:
    """Rows with the year's target of the policy in force at each place (a township: its county's), read for all
    places in one query (staffing.selectors.effective_policies)."""
    from staffing.selectors import effective_policies

    places = sorted({r.division_id[:6] for r in rows}) if definition.target else []
    policies = effective_policies(places) if places else {}
    out = []
    for r in rows:
        policy = policies.get(r.division_id[:6])
        out.append(
            Row(
                r.division_id,
                r.division.name,
                r.level,
                r.numerator,
                r.denominator,
                r.value,
                target_of(definition, policy, period.first.year),
                r.computed_at,
                ceiling=definition.ceiling,
            )
        )
    return out


def station_children(user: Any, definition: Indicator, period: Period, root: str) -> list[Row]:
    """The stations under ``root`` (every station the user sees when empty) with their own figures, by value."""
    if not definition.by_station:
        return []
    qs = station_values(user, definition.code, period.text).select_related("station").order_by("station_id")
    if root:
        qs = qs.filter(station__division__code__startswith=root)
    rows = station_rows(list(qs[:5000]))
    return sorted(rows, key=lambda r: (r.value if r.value is not None else Decimal(-1), r.name))


def children(user: Any, definition: Indicator, period: Period, root: str) -> list[Row]:
    """The places one level below ``root`` (its children) the user sees, shortfalls first, then by value; below a
    township, its stations."""
    length = {2: 4, 4: 6, 6: 9}.get(len(root))
    if len(root) == 9:
        return station_children(user, definition, period, root)
    if length is None:
        return []
    qs = (
        values(user, definition.code, period.text)
        .filter(division__code__startswith=root, level=_level_of_length(length))
        .select_related("division")
        .order_by("division_id")
    )
    rows = with_targets(definition, period, list(qs[:5000]))
    return sorted(rows, key=lambda r: (not r.short, r.value if r.value is not None else Decimal(-1), r.division))


def _level_of_length(length: int) -> int:
    return {2: 1, 4: 2, 6: 3, 9: 4}[length]


def own(user: Any, definition: Indicator, period: Period, root: str) -> Row | None:
    row = values(user, definition.code, period.text).filter(division_id=root).select_related("division").first()
    return with_targets(definition, period, [row])[0] if row is not None else None


def trend(user: Any, definition: Indicator, root: str, year: int) -> list[tuple[str, Decimal | None]]:
    """The place's value month by month in ``year`` (months not computed are left out)."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    found = dict(
        IndicatorValue.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(indicator=definition.code, division_id=root, period__in=months)
        .values_list("period", "value")
    )
    return [(m, found[m]) for m in months if m in found]


def stale(computed_at: dt.datetime | None) -> bool:
    """A figure older than DASHBOARD_STALE_HOURS (the nightly refresh has not run) says so."""
    if computed_at is None:
        return True
    return timezone.now() - computed_at > dt.timedelta(hours=settings.DASHBOARD_STALE_HOURS)
