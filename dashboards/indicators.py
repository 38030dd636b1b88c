"""Indicators as data (dashboards/data/indicators.json: code, Chinese name, numerator and denominator in words,
unit, the periods it supports, the policy target it is compared with, whether it is computed per station, and for
station counts a breakdown into categories — each category its own indicator ``<code>.<category>``) and, per code,
the set-based computation of its numerator and denominator for every place at once — one or a few grouped queries
over the base tables, never one per place. Places are townships (9-digit code) or, where a figure belongs to a
county (the relief-fund cap), counties; rolling up to county, city and province is a sum of the places below.

Indicators computed per station also give each station's own figures (``Computed.stations``): what an agency
sees, so it never reads a township aggregate that mixes in another agency's work.

Stocks (coverage, staff, stations) are read as they stand when computed; flows (hours, briefs, evaluations,
spending) over the period; the weekly visits at the calendar week of the period's end (this week for the current
period).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data" / "indicators.json"
ZERO = Decimal("0")
Pair = tuple[Decimal, Decimal]
Figures = dict[str, Pair]  # place code (township, or county) -> (numerator, denominator)
QUARTER_OF_MONTH = {m: (m - 1) // 3 + 1 for m in range(1, 13)}


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
    by_station: bool = False
    ceiling: Decimal | None = None  # a value above it falls short (relief money: 100% of the cap is the cap)
    # An agency reads a station's figure only where it is computed from rows it reads itself by station; a figure
    # from rows owned by the agency that made them (evaluations, briefs, workers) would show a predecessor's work.
    agency_view: bool = True
    base: str = ""  # the data entry it comes from (its own code, or the breakdown's)
    field: str = ""  # the breakdown's station field
    category: str = ""  # the breakdown's category

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
            "ceiling": None if self.ceiling is None else f"{self.ceiling:.4f}",
            "by_station": self.by_station,
            "agency_view": self.agency_view,
        }


@cache
def indicators() -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for r in json.loads(DATA.read_text(encoding="utf-8")):
        common = {
            "unit": r["unit"],
            "kind": r["kind"],
            "periods": tuple(r["periods"]),
            "by_station": bool(r.get("by_station")),
            "ceiling": Decimal(r["ceiling"]) if r.get("ceiling") is not None else None,
            "agency_view": bool(r.get("agency_view", True)),
            "base": r["code"],
        }
        breakdown = r.get("breakdown")
        if not breakdown:
            out[r["code"]] = Indicator(
                r["code"],
                r["name"],
                numerator=r["numerator"],
                denominator=r["denominator"],
                target=r.get("target"),
                **common,
            )
            continue
        for cat in breakdown["categories"]:
            code = f"{r['code']}.{cat['code']}"
            out[code] = Indicator(
                code,
                f"{r['name']}：{cat['name']}",
                numerator=r["numerator"].replace("该", f"“{cat['name']}”", 1),
                denominator=r["denominator"],
                target=cat.get("target"),
                field=breakdown["field"],
                category=cat["code"],
                **common,
            )
    return out


@dataclass(frozen=True)
class Period:
    """``2026-05`` (a month), ``2026Q2`` (a quarter) or ``2026`` (a year): its first and last day."""

    text: str
    first: dt.date
    last: dt.date

    @property
    def kind(self) -> str:
        if len(self.text) == 4:
            return "year"
        return "quarter" if "Q" in self.text else "month"

    @property
    def months(self) -> list[str]:
        return [f"{self.first.year}-{m:02d}" for m in range(self.first.month, self.last.month + 1)]

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip().upper()
        if len(text) == 4 and text.isdigit() and 2000 <= int(text) <= 2100:
            year = int(text)
            return cls(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5] in "1234":
            year, q = int(text[:4]), int(text[5])
            if 2000 <= year <= 2100:
                return cls(text, dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return cls(text, dt.date(year, month, 1), _month_end(year, month))
        raise ValueError("期间应为 YYYY-MM（月）、YYYYQn（季度）或 YYYY（年），如 2026-05、2026Q2 或 2026。")

    @classmethod
    def of(cls, kind: str, day: dt.date) -> Period:
        """The month, quarter or year containing ``day``."""
        if kind == "year":
            return cls.parse(str(day.year))
        if kind == "quarter":
            return cls.parse(f"{day.year}Q{QUARTER_OF_MONTH[day.month]}")
        return cls.parse(f"{day:%Y-%m}")

    def label(self) -> str:
        if self.kind == "year":
            return f"{self.text}年全年"
        if self.kind == "quarter":
            return f"{self.text[:4]}年第{self.text[5]}季度"
        return f"{self.text[:4]}年{self.text[5:]}月"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass
class Computed:
    """An indicator's figures for one period: per place (township or county), and per station where it has them."""

    places: Figures = field(default_factory=dict)
    stations: dict[int, Pair] = field(default_factory=dict)

    def add(self, station: int | None, division: str, num: Any, den: Any, *, per_station: bool = True) -> None:
        pair = (Decimal(num or 0), Decimal(den or 0))
        place = division[:9]
        old = self.places.get(place, (ZERO, ZERO))
        self.places[place] = (old[0] + pair[0], old[1] + pair[1])
        if per_station and station is not None:
            old = self.stations.get(station, (ZERO, ZERO))
            self.stations[station] = (old[0] + pair[0], old[1] + pair[1])


MONEY = DecimalField(max_digits=18, decimal_places=2)


def _per_station(
    qs: QuerySet[Any], station: str, division: str, num: Any, den: Any, *, sparse: bool = False
) -> Computed:
    """One grouped query: (station, its division) -> numerator, denominator; places summed from the stations.
    ``sparse``: a station gets a row only where its numerator is not 0 (a breakdown: each station is in one
    category, so it has one row per breakdown, not one per category)."""
    out = Computed()
    for s, d, n, m in qs.values(station, division).annotate(n=num, m=den).values_list(station, division, "n", "m"):
        out.add(s, d, n, m, per_station=not (sparse and not n))
    return out


def stations_breakdown(period: Period, definition: Indicator) -> Computed:
    from stations.models import Station

    if definition.base == "stations_by_star":
        pool = Station.objects.filter(level=Station.Level.TOWNSHIP, status=Station.Status.OPERATING)
        hit = Q(star_rating=int(definition.category))
    elif definition.base == "stations_by_level":
        pool = Station.objects.exclude(status=Station.Status.CLOSED)
        hit = Q(level=definition.category)
    else:
        pool = Station.objects.all()
        hit = Q(**{definition.field: definition.category})
    return _per_station(pool, "pk", "division_id", Count("pk", filter=hit), Count("pk"), sparse=True)


def _division_counts(qs: QuerySet[Any], path: str) -> dict[str, int]:
    from django.db.models.functions import Substr

    return dict(qs.annotate(t=Substr(path, 1, 9)).values("t").annotate(v=Count("pk")).values_list("t", "v"))


def _covered(level: str) -> dict[str, int]:
    from django.db.models.functions import Substr

    from stations.models import Station

    return dict(
        Station.objects.filter(level=level, status=Station.Status.OPERATING)
        .annotate(t=Substr("division_id", 1, 9))
        .values("t")
        .annotate(v=Count("division_id", distinct=True))
        .values_list("t", "v")
    )


def _coverage(num: dict[str, int], den: dict[str, int]) -> Computed:
    return Computed(places={k: (Decimal(num.get(k, 0)), Decimal(den.get(k, 0))) for k in set(num) | set(den)})


def township_coverage(period: Period, definition: Indicator) -> Computed:
    from stations.models import Division, Station

    den = _division_counts(Division.objects.filter(level=Division.Level.TOWNSHIP), "code")
    return _coverage(_covered(Station.Level.TOWNSHIP), den)


def village_coverage(period: Period, definition: Indicator) -> Computed:
    from stations.models import Division, Station

    den = _division_counts(Division.objects.filter(level=Division.Level.VILLAGE), "code")
    return _coverage(_covered(Station.Level.VILLAGE), den)


def qualified_staff(period: Period, definition: Indicator) -> Computed:
    from staffing.models import Certificate, SocialWorker

    employed = SocialWorker.objects.filter(status=SocialWorker.Status.EMPLOYED)
    qualified = Q(social_work_major=True) | Q(Exists(Certificate.objects.filter(worker=OuterRef("pk"))))
    # Workers between stations count for their place, not for any station.
    return _per_station(employed, "station_id", "division_id", Count("pk", filter=qualified), Count("pk"))


def professional_hours(period: Period, definition: Indicator) -> Computed:
    from services.models import ServiceRecord

    return _per_station(
        ServiceRecord.objects.filter(date__range=(period.first, period.last)),
        "station_id",
        "station__division_id",
        Coalesce(Sum("hours", filter=Q(kind__in=list(ServiceRecord.PROFESSIONAL))), Value(ZERO), output_field=MONEY),
        Coalesce(Sum("hours"), Value(ZERO), output_field=MONEY),
    )


def brief_timeliness(period: Period, definition: Indicator) -> Computed:
    from django.db.models import DateField
    from django.db.models.functions import Cast, TruncDate

    from evaluation.reports.models import MonthlyBrief

    # Owed: briefs of the period whose due date has passed, or that are in already.
    today = timezone.localdate()
    briefs = MonthlyBrief.objects.filter(period__in=period.months).filter(
        Q(due_date__lt=today) | Q(first_submitted_at__isnull=False)
    )
    on_time = Q(first_submitted_at__isnull=False) & Q(
        due_date__gte=Cast(TruncDate("first_submitted_at"), output_field=DateField())
    )
    return _per_station(briefs, "station_id", "division_id", Count("pk", filter=on_time), Count("pk"))


def brief_completeness(period: Period, definition: Indicator) -> Computed:
    """Expected: each station under an agreement in force in the month, once per month (the same reading as
    evaluation.reports.selectors.completeness); handed in: the briefs of those months first submitted. Two grouped
    queries per month."""
    from contracts.models import Contract
    from evaluation.reports.calendar import IN_FORCE
    from evaluation.reports.models import MonthlyBrief
    from stations.models import Station

    out = Computed()
    for month in period.months:
        first = dt.date(int(month[:4]), int(month[5:]), 1)
        last = _month_end(first.year, first.month)
        in_force = (
            Contract.objects.filter(status__in=IN_FORCE, start_date__lte=last, end_date__gte=first)
            .exclude(status=Contract.Status.TERMINATED, terminated_date__lt=first)
            .values("pk")
        )
        expected = Station.objects.filter(contracts__in=in_force).values("pk", "division_id").distinct()
        for station, division in expected.values_list("pk", "division_id"):
            out.add(station, division, 0, 1)
        handed = (
            MonthlyBrief.objects.filter(period=month, first_submitted_at__isnull=False)
            .values("station_id", "division_id")
            .annotate(n=Count("pk"))
            .values_list("station_id", "division_id", "n")
        )
        for station, division, n in handed:
            out.add(station, division, n, 0)
    return out


def evaluation_pass(period: Period, definition: Indicator) -> Computed:
    """Evaluations whose result was determined in the period: passed of determined. A place counts each once (by
    the agreement's place); each station of the agreement counts it as its own."""
    from evaluation.models import Evaluation

    finals = Evaluation.objects.filter(
        state=Evaluation.State.FINAL,
        passed__isnull=False,
        finalized_at__date__range=(period.first, period.last),
    )
    out = Computed()
    for division, n, m in (
        finals.values("contract__division_id")
        .annotate(n=Count("pk", filter=Q(passed=True)), m=Count("pk"))
        .values_list("contract__division_id", "n", "m")
    ):
        out.add(None, division, n, m, per_station=False)
    for station, n, m in (
        finals.filter(contract__stations__isnull=False)
        .values("contract__stations")
        .annotate(n=Count("pk", filter=Q(passed=True)), m=Count("pk"))
        .values_list("contract__stations", "n", "m")
    ):
        out.stations[station] = (Decimal(n), Decimal(m))
    return out


def budget_execution(period: Period, definition: Indicator) -> Computed:
    from funding.models import BudgetLine, Expenditure

    year = period.first.year
    out = _per_station(
        BudgetLine.objects.filter(budget__year=year, budget__status="approved"),
        "budget__station_id",
        "budget__station__division_id",
        Value(ZERO, output_field=MONEY),
        Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
    )
    spent = _per_station(
        Expenditure.objects.filter(
            budget__year=year, budget__status="approved", status="approved", spent_on__lte=period.last
        ),
        "budget__station_id",
        "budget__station__division_id",
        Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
        Value(ZERO, output_field=MONEY),
    )
    for station, (n, _) in spent.stations.items():
        out.stations[station] = (
            out.stations.get(station, (ZERO, ZERO))[0] + n,
            out.stations.get(station, (ZERO, ZERO))[1],
        )
    for place, (n, _) in spent.places.items():
        out.places[place] = (out.places.get(place, (ZERO, ZERO))[0] + n, out.places.get(place, (ZERO, ZERO))[1])
    return out


def relief_fund_use(period: Period, definition: Indicator) -> Computed:
    """Per county: the relief money its approved budgets of the year use, against the cap the county's policy
    (``funding.relief_fund_cap``) sets on the base figure the bureau entered (funding.policy.relief_cap, the same
    rounding as the approval check). No base or no cap in the policy: the denominator is 0 (no value, said)."""
    from django.db.models.functions import Substr

    from funding.models import BudgetLine, ReliefBase, Source
    from funding.policy import relief_cap
    from staffing.selectors import effective_policies

    year = period.first.year
    used = dict(
        BudgetLine.objects.filter(source=Source.RELIEF, budget__status="approved", budget__year=year)
        .annotate(c=Substr("budget__station__division_id", 1, 6))
        .values("c")
        .annotate(s=Sum("amount"))
        .values_list("c", "s")
    )
    bases = dict(ReliefBase.objects.filter(year=year).values_list("division_id", "amount"))
    counties = sorted(set(used) | set(bases))
    policies = effective_policies(counties) if counties else {}
    out = Computed()
    for county in counties:
        cap = None
        if county in bases and county in policies:
            cap = relief_cap(county, bases[county], policy=policies[county]).cap
        out.places[county] = (Decimal(used.get(county) or 0), Decimal(cap or 0))
    return out


def scattered_visited(period: Period, definition: Indicator) -> Computed:
    from services.models import Beneficiary, Visit, iso_week
    from services.selectors import SCATTERED

    week = iso_week(min(timezone.localdate(), period.last))
    people = Beneficiary.objects.filter(active=True, categories__contains=[SCATTERED])
    visited = Q(Exists(Visit.objects.filter(beneficiary=OuterRef("pk"), week=week)))
    return _per_station(people, "station_id", "division_id", Count("pk", filter=visited), Count("pk"))


COMPUTE: dict[str, Callable[[Period, Indicator], Computed]] = {
    "stations_by_level": stations_breakdown,
    "stations_by_status": stations_breakdown,
    "stations_by_star": stations_breakdown,
    "township_coverage": township_coverage,
    "village_coverage": village_coverage,
    "qualified_staff": qualified_staff,
    "professional_hours": professional_hours,
    "brief_completeness": brief_completeness,
    "brief_timeliness": brief_timeliness,
    "evaluation_pass": evaluation_pass,
    "budget_execution": budget_execution,
    "relief_fund_use": relief_fund_use,
    "scattered_visited": scattered_visited,
}


def compute(definition: Indicator, period: Period) -> Computed:
    return COMPUTE[definition.base](period, definition)


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
