"""Counting periods the way the Civil Code counts them, on the Chinese working-day calendar.

Pure: no database, no clock. The caller passes a ``WorkCalendar`` (``workdays.selectors.work_calendar()``
builds one from the stored calendar; ``workdays.selectors.due_date`` does both in one call).

What each article does here (中华人民共和国民法典, 总则编 第十章 期间计算):

* 第二百零一条 — "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算。" The day of the event
  (signing, receipt …) is never counted: every method starts counting on the next day. ``N`` calendar days after
  1 October end on 11 October; ``N`` working days are the ``N``-th working day after the start day.
* 第二百零二条 — "按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日。"
  Months and years end on the corresponding day of the last month (15 January + 1 month = 15 February), or on
  that month's last day where it has none (31 January + 1 month = 28/29 February, 29 February + 1 year =
  28 February, 31 March + 1 month = 30 April). A year is counted as twelve months.
* 第二百零三条 — "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。" Applied to calendar
  days, months and years: when the last day is a rest day, the period ends on the first working day after it.
  Rest days (法定休假日) are the holiday days off of the State Council's arrangement and Saturdays and Sundays,
  except the make-up workdays (调休上班日) of that arrangement, which are working days. A working-day count
  already ends on a working day, so art. 203 never moves it.

A day of a year the calendar does not cover is never guessed: the answer is ``due=None`` with
``unknown_years`` listing the uncovered years the count needs. For a working-day count that runs through an
uncovered year, Monday to Friday stand in for working days only to find how far the count reaches (which
years it needs); the due date stays unknown.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

Unit = Literal["working_days", "calendar_days", "months", "years"]
UNITS: tuple[Unit, ...] = get_args(Unit)
UNIT_LABELS: dict[str, str] = {
    "working_days": "工作日",
    "calendar_days": "自然日",
    "months": "月",
    "years": "年",
}
# The largest amount each unit accepts: beyond this a request is a mistake, not a period (API answers 400).
MAX_AMOUNT: dict[str, int] = {"working_days": 3650, "calendar_days": 36500, "months": 1200, "years": 100}
# Start dates accepted (the results of the largest amounts stay far inside Python's date range).
MIN_START = dt.date(1900, 1, 1)
MAX_START = dt.date(2199, 12, 31)

WEEKDAYS = "一二三四五六日"


def zh_date(day: dt.date) -> str:
    """2026年10月9日"""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class WorkCalendar:
    """The known calendar: covered years, and in them the off days and make-up workdays with holiday names."""

    covered_years: frozenset[int]
    off_days: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)

    def covers(self, day: dt.date) -> bool:
        return day.year in self.covered_years

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day; only meaningful when ``covers(day)``."""
        if day in self.workdays:
            return True
        if day in self.off_days:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    """The answer: ``due`` is the last day of the period, or None with the ``unknown_years`` it would need."""

    start: dt.date
    amount: int
    unit: Unit
    due: dt.date | None
    unknown_years: tuple[int, ...] = ()
    # Months, years and calendar days: the last day by arts. 201/202 before art. 203 moved it (None if unknown).
    period_end: dt.date | None = None

    @property
    def known(self) -> bool:
        return self.due is not None

    @property
    def extended(self) -> bool:
        """Art. 203 moved the last day off a rest day."""
        return self.due is not None and self.period_end is not None and self.due != self.period_end

    @property
    def articles(self) -> tuple[str, ...]:
        """The Civil Code articles the count applied."""
        arts = ["第二百零一条"]
        if self.unit in ("months", "years"):
            arts.append("第二百零二条")
        if self.unit != "working_days":
            arts.append("第二百零三条")
        return tuple(arts)

    @property
    def description(self) -> str:
        """“2026年9月28日后15个工作日”"""
        unit = {"working_days": "个工作日", "calendar_days": "日", "months": "个月", "years": "年"}[self.unit]
        return f"{zh_date(self.start)}后{self.amount}{unit}"

    @property
    def explanation(self) -> str:
        """How the date was reached, in Chinese, naming the articles."""
        first = f"依民法典第二百零一条，{zh_date(self.start)}当日不计入，自次日起算"
        if self.due is None:
            years = "、".join(f"{y}年" for y in self.unknown_years)
            return f"{first}；计算需要{years}的节假日安排，该安排尚未公布或尚未录入，因此无法确定到期日。"
        if self.unit == "working_days":
            return f"{first}，跳过周末和法定节假日、计入调休上班日，第{self.amount}个工作日为{zh_date(self.due)}。"
        assert self.period_end is not None  # noqa: S101 - set for every known non-working-day count
        if self.unit == "calendar_days":
            text = f"{first}，第{self.amount}日为{zh_date(self.period_end)}"
        else:
            text = f"{first}；依第二百零二条，到期月的对应日（无对应日的为月末日）{zh_date(self.period_end)}为最后一日"
        if self.extended:
            return f"{text}；该日为休息日，依第二百零三条顺延至休息日结束后的第一个工作日{zh_date(self.due)}。"
        if self.due.weekday() >= 5:  # a known working Saturday or Sunday is a make-up workday
            return f"{text}，该日为调休上班日（工作日），不顺延。"
        return f"{text}，该日为工作日，不顺延。"


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or that month's last day where it has none (art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def _check(start: dt.date, amount: int, unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT[unit]:
        raise ValueError(f"amount must be an integer from 1 to {MAX_AMOUNT[unit]} for {unit}")
    if not MIN_START <= start <= MAX_START:
        raise ValueError(f"start must lie between {MIN_START} and {MAX_START}")


def _count_working_days(start: dt.date, amount: int, calendar: WorkCalendar) -> tuple[dt.date, tuple[int, ...]]:
    """The ``amount``-th working day after ``start`` (art. 201), and the uncovered years passed through."""
    day, counted, unknown = start, 0, set()
    one = dt.timedelta(days=1)
    while counted < amount:
        day += one
        if calendar.covers(day):
            counted += calendar.is_working_day(day)
        else:
            unknown.add(day.year)
            counted += day.weekday() < 5  # only to find how far the count reaches
    return day, tuple(sorted(unknown))


def _first_working_day_from(day: dt.date, calendar: WorkCalendar) -> tuple[dt.date | None, int | None]:
    """``day`` if it is a working day, else the first working day after it (art. 203); or the uncovered year."""
    one = dt.timedelta(days=1)
    while True:
        if not calendar.covers(day):
            return None, day.year
        if calendar.is_working_day(day):
            return day, None
        day += one


def due_date(start: dt.date, amount: int, unit: Unit, *, calendar: WorkCalendar) -> Deadline:
    """The last day of a period of ``amount`` ``unit`` after the event on ``start`` (arts. 201–203).

    ``unit``: "working_days", "calendar_days", "months" or "years"; ``amount`` from 1 to ``MAX_AMOUNT[unit]``.
    Raises ValueError for an unknown unit, an amount out of range or a start outside ``MIN_START..MAX_START``.
    """
    _check(start, amount, unit)
    if unit == "working_days":
        day, unknown = _count_working_days(start, amount, calendar)
        if unknown:
            return Deadline(start, amount, unit, None, unknown)
        return Deadline(start, amount, unit, day, (), day)
    if unit == "calendar_days":
        end = start + dt.timedelta(days=amount)  # art. 201: the start day is not counted
    elif unit == "months":
        end = add_months(start, amount)
    else:
        end = add_months(start, 12 * amount)
    due, missing = _first_working_day_from(end, calendar)
    if due is None:
        assert missing is not None  # noqa: S101
        return Deadline(start, amount, unit, None, (missing,), None)
    return Deadline(start, amount, unit, due, (), end)


def weekday_label(day: dt.date) -> str:
    """周一 … 周日"""
    return f"周{WEEKDAYS[day.weekday()]}"
