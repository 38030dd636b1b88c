"""Refresh the pre-aggregated indicator tables for a period, set-based and idempotent: each indicator's figures per
place (and per station where it has them) in one or a few grouped queries, summed up the tree (township → county →
city → province) in memory, then one upsert (``INSERT … ON CONFLICT DO UPDATE``) per table and one delete of rows
no longer backed by data. Each row records when it was computed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from .indicators import Period, compute, indicators, ratio
from .models import IndicatorValue, StationIndicatorValue

LEVEL_OF_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4}
PERIOD_KINDS = ("month", "quarter", "year")


def roll_up(figures: dict[str, tuple[Decimal, Decimal]]) -> dict[str, tuple[Decimal, Decimal]]:
    out: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for code, (num, den) in figures.items():
        # A county's figure has 6 digits: its own prefixes only, each once.
        for prefix in {code[:length] for length in (9, 6, 4, 2)}:
            cell = out[prefix]
            cell[0] += num
            cell[1] += den
    return {k: (v[0], v[1]) for k, v in out.items()}


@transaction.atomic
def refresh(period_text: str, codes: list[str] | None = None) -> dict[str, int]:
    """Recompute ``period`` for the given indicators (all by default); returns rows written per indicator."""
    from stations.models import Division

    period = Period.parse(period_text)
    now = timezone.now()
    known = indicators()
    written: dict[str, int] = {}
    places: set[str] | None = None
    for code in codes or list(known):
        definition = known[code]
        if period.kind not in definition.periods:
            continue
        computed = compute(definition, period)
        totals = roll_up(computed.places)
        if places is None:
            # The known places, read once per refresh (a code in the records but not in the tree is left out).
            places = set(Division.objects.filter(level__lte=4).values_list("code", flat=True))
        rows = [
            IndicatorValue(
                indicator=code,
                division_id=place,
                level=LEVEL_OF_LENGTH[len(place)],
                period=period.text,
                numerator=num,
                denominator=den,
                value=ratio(num, den),
                computed_at=now,
            )
            for place, (num, den) in totals.items()
            if place in places
        ]
        IndicatorValue.objects.bulk_create(
            rows,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["indicator", "division", "period"],
            update_fields=["level", "numerator", "denominator", "value", "computed_at"],
        )
        IndicatorValue.objects.filter(indicator=code, period=period.text).exclude(computed_at=now).delete()
        StationIndicatorValue.objects.bulk_create(
            [
                StationIndicatorValue(
                    indicator=code,
                    station_id=station,
                    period=period.text,
                    numerator=num,
                    denominator=den,
                    value=ratio(num, den),
                    computed_at=now,
                )
                for station, (num, den) in computed.stations.items()
            ],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["indicator", "station", "period"],
            update_fields=["numerator", "denominator", "value", "computed_at"],
        )
        StationIndicatorValue.objects.filter(indicator=code, period=period.text).exclude(computed_at=now).delete()
        written[code] = len(rows) + len(computed.stations)
    return written


def current_periods(today: dt.date) -> list[str]:
    return [Period.of(kind, today).text for kind in PERIOD_KINDS]


def changed_periods(since: dt.datetime) -> list[str]:
    """The earlier periods whose figures rows recorded since ``since`` change: a service record, visit or spending
    entered late for a past month, a brief handed in or accepted late, a budget approved for another year — each
    month found, with its quarter and year (a few grouped queries; the dates, never the rows, come back)."""
    from django.db.models import Q

    from evaluation.reports.models import MonthlyBrief
    from funding.models import Budget, Expenditure
    from services.models import ServiceRecord, Visit

    days: set[dt.date] = set()
    for model, date_field, changed in (
        (ServiceRecord, "date", Q(created_at__gte=since)),
        (Visit, "date", Q(created_at__gte=since)),
        (Expenditure, "spent_on", Q(recorded_at__gte=since) | Q(decided_at__gte=since)),
    ):
        days.update(model.objects.filter(changed).dates(date_field, "month"))  # type: ignore[attr-defined]
    briefs = MonthlyBrief.objects.filter(
        Q(submitted_at__gte=since) | Q(accepted_at__gte=since) | Q(created_at__gte=since)
    )
    for period in briefs.values_list("period", flat=True).distinct():
        days.add(dt.date(int(period[:4]), int(period[5:7]), 1))
    years = set(Budget.objects.filter(approved_at__gte=since).values_list("year", flat=True).distinct())
    out = {Period.of(kind, day).text for day in days for kind in PERIOD_KINDS}
    out.update(str(year) for year in years)
    return sorted(out)


def refresh_current(today: dt.date | None = None) -> dict[str, Any]:
    """The periods that can still change (this month, this quarter and this year), and the earlier ones that rows
    recorded since the last refresh change (``changed_periods``): incremental, period by period."""
    from django.db.models import Max

    today = today or timezone.localdate()
    last = IndicatorValue.objects.aggregate(last=Max("computed_at"))["last"]
    periods = current_periods(today)
    if last is not None:
        periods += [p for p in changed_periods(last) if p not in periods and Period.parse(p).first <= today]
    return {p: refresh(p) for p in periods}
