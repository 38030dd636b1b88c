"""Reads of the stored calendar. Reference data: the counting reads it whole, for any caller (pages, API,
Celery sweeps); what a user is shown goes through ``for_user`` in the views."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .counting import Deadline, Unit, WorkCalendar
from .counting import due_date as count_due_date
from .models import CalendarDay, CalendarYear


def work_calendar() -> WorkCalendar:
    """The whole stored calendar in two queries (a few hundred rows per decade). Load it once and pass it to
    ``workdays.counting.due_date`` when counting many periods."""
    covered = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    off: dict[dt.date, str] = {}
    work: dict[dt.date, str] = {}
    for date, kind, name in CalendarDay.objects.filter(year_id__in=covered).values_list("date", "kind", "name"):
        (off if kind == CalendarDay.Kind.OFF else work)[date] = name
    return WorkCalendar(covered_years=covered, off_days=off, workdays=work)


def due_date(start: dt.date, amount: int, unit: Unit) -> Deadline:
    """``amount`` ``unit`` after ``start`` on the stored calendar (Civil Code arts. 201–203, workdays.counting).

    ``due_date(date(2026, 9, 28), 15, "working_days").due == date(2026, 10, 23)``; a count that needs a year the
    calendar does not cover answers ``due=None`` and ``unknown_years=(2027,)``.
    """
    return count_due_date(start, amount, unit, calendar=work_calendar())


@dataclass(frozen=True)
class Holiday:
    """One holiday of a year as the notice states it: days off (a run) and its make-up workdays."""

    name: str
    first: dt.date | None  # None: only make-up workdays in this year (the days off lie in the next or last year)
    last: dt.date | None
    workdays: tuple[dt.date, ...]

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1 if self.first and self.last else 0

    @property
    def sort_key(self) -> dt.date:
        return self.first or self.workdays[0]


def holidays_of(days: list[CalendarDay]) -> list[Holiday]:
    """Group a year's days into holidays: each run of consecutive days off with one name, and the make-up
    workdays of that name attached to the nearest run."""
    runs: list[list[CalendarDay]] = []
    for day in sorted((d for d in days if d.kind == CalendarDay.Kind.OFF), key=lambda d: d.date):
        last = runs[-1][-1] if runs else None
        if last is not None and last.name == day.name and (day.date - last.date).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    attached: dict[int, list[dt.date]] = {i: [] for i in range(len(runs))}
    orphans: list[CalendarDay] = []
    for day in (d for d in days if d.kind == CalendarDay.Kind.WORKDAY):
        same = [i for i, run in enumerate(runs) if run[0].name == day.name]
        if same:
            nearest = min(same, key=lambda i: min(abs((d.date - day.date).days) for d in runs[i]))
            attached[nearest].append(day.date)
        else:
            orphans.append(day)
    holidays = [
        Holiday(run[0].name, run[0].date, run[-1].date, tuple(sorted(attached[i]))) for i, run in enumerate(runs)
    ]
    # A make-up workday whose holiday lies in the neighbouring year (e.g. 2018-12-29 for New Year 2019).
    for day in orphans:
        holidays.append(Holiday(day.name, None, None, (day.date,)))
    return sorted(holidays, key=lambda h: h.sort_key)
