"""Indicators as data (dashboards/data/indicators.json: code, Chinese name, numerator and denominator in words,
unit, the periods it supports and the policy target it is compared with) and, per code, the set-based computation
of its numerator and denominator for every township (9-digit code) at once — one or two grouped queries over the
base tables, never one per place. Rolling up to county, city and province is a sum of the townships below.

Stocks (coverage, staff) are read as they stand when computed; flows (hours, briefs, spending) over the period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr

DATA = Path(__file__).resolve().parent / "data" / "indicators.json"
ZERO = Decimal("0")
Figures = dict[str, tuple[Decimal, Decimal]]  # township code -> (numerator, denominator)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    kind: str  # stock | flow
    numerator: str
    denominator: str
    periods: tuple[str, ...]
    target: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "periods": list(self.periods),
            "target": self.target,
        }


@cache
def indicators() -> dict[str, Indicator]:
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        r["code"]: Indicator(
            r["code"],
            r["name"],
            r["unit"],
            r["kind"],
            r["numerator"],
            r["denominator"],
            tuple(r["periods"]),
            r.get("target"),
        )
        for r in rows
    }


@dataclass(frozen=True)
class Period:
    """``2026-05`` (a month) or ``2026`` (a year): its first and last day."""

    text: str
    first: dt.date
    last: dt.date

    @property
    def kind(self) -> str:
        return "year" if len(self.text) == 4 else "month"

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip()
        if len(text) == 4 and text.isdigit() and 2000 <= int(text) <= 2100:
            year = int(text)
            return cls(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                nxt = dt.date(year + month // 12, month % 12 + 1, 1)
                return cls(text, dt.date(year, month, 1), nxt - dt.timedelta(days=1))
        raise ValueError("期间应为 YYYY-MM（月）或 YYYY（年），如 2026-05 或 2026。")


def _merge(num: dict[str, Any], den: dict[str, Any]) -> Figures:
    return {k: (Decimal(num.get(k) or 0), Decimal(den.get(k) or 0)) for k in set(num) | set(den)}


def _grouped(qs: Any, path: str, agg: Any) -> dict[str, Any]:
    return dict(qs.annotate(t=Substr(path, 1, 9)).values("t").annotate(v=agg).values_list("t", "v"))


def township_coverage(period: Period) -> Figures:
    from stations.models import Division, Station

    den = _grouped(Division.objects.filter(level=Division.Level.TOWNSHIP), "code", Count("code"))
    num = _grouped(
        Station.objects.filter(level=Station.Level.TOWNSHIP, status=Station.Status.OPERATING),
        "division_id",
        Count("division_id", distinct=True),
    )
    return _merge(num, den)


def village_coverage(period: Period) -> Figures:
    from stations.models import Division, Station

    den = _grouped(Division.objects.filter(level=Division.Level.VILLAGE), "code", Count("code"))
    num = _grouped(
        Station.objects.filter(level=Station.Level.VILLAGE, status=Station.Status.OPERATING),
        "division_id",
        Count("division_id", distinct=True),
    )
    return _merge(num, den)


def qualified_staff(period: Period) -> Figures:
    from staffing.models import Certificate, SocialWorker

    employed = SocialWorker.objects.filter(status=SocialWorker.Status.EMPLOYED)
    qualified = Q(social_work_major=True) | Q(Exists(Certificate.objects.filter(worker=OuterRef("pk"))))
    den = _grouped(employed, "division_id", Count("pk"))
    num = _grouped(employed.filter(qualified), "division_id", Count("pk"))
    return _merge(num, den)


def professional_hours(period: Period) -> Figures:
    from services.models import ServiceRecord

    hours = DecimalField(max_digits=18, decimal_places=2)
    rows = (
        ServiceRecord.objects.filter(date__range=(period.first, period.last))
        .annotate(t=Substr("station__division_id", 1, 9))
        .values("t")
        .annotate(
            total=Coalesce(Sum("hours"), Value(ZERO), output_field=hours),
            pro=Coalesce(
                Sum("hours", filter=Q(kind__in=list(ServiceRecord.PROFESSIONAL))), Value(ZERO), output_field=hours
            ),
        )
    )
    return {r["t"]: (Decimal(r["pro"]), Decimal(r["total"])) for r in rows}


def brief_timeliness(period: Period) -> Figures:
    from django.db.models import DateField
    from django.db.models.functions import Cast, TruncDate

    from evaluation.reports.models import MonthlyBrief

    months = [f"{period.text}-{m:02d}" for m in range(1, 13)] if period.kind == "year" else [period.text]
    # Owed: briefs of the period whose due date has passed, or that are in already.
    from django.utils import timezone

    today = timezone.localdate()
    briefs = MonthlyBrief.objects.filter(period__in=months).filter(
        Q(due_date__lt=today) | Q(first_submitted_at__isnull=False)
    )
    on_time = Q(first_submitted_at__isnull=False) & Q(
        due_date__gte=Cast(TruncDate("first_submitted_at"), output_field=DateField())
    )
    den = _grouped(briefs, "division_id", Count("pk"))
    num = _grouped(briefs.filter(on_time), "division_id", Count("pk"))
    return _merge(num, den)


def budget_execution(period: Period) -> Figures:
    from funding.models import BudgetLine, Expenditure

    year = period.first.year
    money = DecimalField(max_digits=18, decimal_places=2)
    den = _grouped(
        BudgetLine.objects.filter(budget__year=year, budget__status="approved"),
        "budget__station__division_id",
        Coalesce(Sum("amount"), Value(ZERO), output_field=money),
    )
    num = _grouped(
        Expenditure.objects.filter(
            budget__year=year, budget__status="approved", status="approved", spent_on__lte=period.last
        ),
        "budget__station__division_id",
        Coalesce(Sum("amount"), Value(ZERO), output_field=money),
    )
    return _merge(num, den)


COMPUTE: dict[str, Callable[[Period], Figures]] = {
    "township_coverage": township_coverage,
    "village_coverage": village_coverage,
    "qualified_staff": qualified_staff,
    "professional_hours": professional_hours,
    "brief_timeliness": brief_timeliness,
    "budget_execution": budget_execution,
}


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal("0.0001"))


def target_of(indicator: Indicator, policy: Any, year: int) -> Decimal | None:
    """The year's target of the policy rule the indicator is compared with (a yearly series), if any."""
    if not indicator.target or policy is None:
        return None
    series = policy.get(indicator.target)
    if not isinstance(series, dict):
        return None
    value = series.get(str(year))
    return None if value is None else Decimal(str(value))
