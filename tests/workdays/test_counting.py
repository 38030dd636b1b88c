"""Counting on the calendar as stored (seeded from chinesecalendar 1.11.0 after migrate), checked against the
State Council notices: 2024 国办发明电〔2023〕7号, 2025 国办发明电〔2024〕12号, 2026 国办发明电〔2025〕7号."""

from __future__ import annotations

import datetime as dt

import pytest

from workdays.counting import Deadline, WorkCalendar, add_months, due_date
from workdays.selectors import due_date as stored_due_date
from workdays.selectors import work_calendar

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def cal() -> WorkCalendar:
    return work_calendar()


def test_the_published_arrangements_are_stored_as_the_notices_say(cal: WorkCalendar) -> None:
    def run(first: dt.date, last: dt.date) -> set[dt.date]:
        return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}

    # 2026 (国办发明电〔2025〕7号)
    off_2026 = (
        run(D(2026, 1, 1), D(2026, 1, 3))
        | run(D(2026, 2, 15), D(2026, 2, 23))
        | run(D(2026, 4, 4), D(2026, 4, 6))
        | run(D(2026, 5, 1), D(2026, 5, 5))
        | run(D(2026, 6, 19), D(2026, 6, 21))
        | run(D(2026, 9, 25), D(2026, 9, 27))
        | run(D(2026, 10, 1), D(2026, 10, 7))
    )
    assert {d for d in cal.off_days if d.year == 2026} == off_2026
    assert {d for d in cal.workdays if d.year == 2026} == {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }
    # 2025 (国办发明电〔2024〕12号): the first year with 除夕 and 5月2日 as statutory days off
    assert {d for d in cal.workdays if d.year == 2025} == {
        D(2025, 1, 26),
        D(2025, 2, 8),
        D(2025, 4, 27),
        D(2025, 9, 28),
        D(2025, 10, 11),
    }
    assert {d for d in cal.off_days if d.year == 2025} == (
        {D(2025, 1, 1)}
        | run(D(2025, 1, 28), D(2025, 2, 4))
        | run(D(2025, 4, 4), D(2025, 4, 6))
        | run(D(2025, 5, 1), D(2025, 5, 5))
        | run(D(2025, 5, 31), D(2025, 6, 2))
        | run(D(2025, 10, 1), D(2025, 10, 8))
    )
    assert cal.off_days[D(2025, 10, 8)] == "国庆节、中秋节"
    # 2024 (国办发明电〔2023〕7号): 除夕 2月9日 was a working day
    assert cal.is_working_day(D(2024, 2, 9))
    assert {d for d in cal.off_days if d.year == 2024} == (
        {D(2024, 1, 1), D(2024, 6, 10)}
        | run(D(2024, 2, 10), D(2024, 2, 17))
        | run(D(2024, 4, 4), D(2024, 4, 6))
        | run(D(2024, 5, 1), D(2024, 5, 5))
        | run(D(2024, 9, 15), D(2024, 9, 17))
        | run(D(2024, 10, 1), D(2024, 10, 7))
    )
    assert {d for d in cal.workdays if d.year == 2024} == {
        D(2024, 2, 4),
        D(2024, 2, 18),
        D(2024, 4, 7),
        D(2024, 4, 28),
        D(2024, 5, 11),
        D(2024, 9, 14),
        D(2024, 9, 29),
        D(2024, 10, 12),
    }
    assert 2027 not in cal.covered_years


# --- art. 201: the day of the event is not counted ---------------------------------------------------------


def test_calendar_days_start_the_next_day(cal: WorkCalendar) -> None:
    # 2026-03-02 (Mon) + 10 days = 2026-03-12 (Thu), a working day
    d = due_date(D(2026, 3, 2), 10, "calendar_days", calendar=cal)
    assert (d.due, d.period_end, d.unknown_years) == (D(2026, 3, 12), D(2026, 3, 12), ())
    assert not d.extended
    assert due_date(D(2026, 3, 2), 1, "calendar_days", calendar=cal).due == D(2026, 3, 3)


def test_working_days_start_the_next_day(cal: WorkCalendar) -> None:
    # Monday 2026-03-02: the 1st working day after it is Tuesday, the 5th is Monday 9 March.
    assert due_date(D(2026, 3, 2), 1, "working_days", calendar=cal).due == D(2026, 3, 3)
    assert due_date(D(2026, 3, 2), 5, "working_days", calendar=cal).due == D(2026, 3, 9)
    # Counting from a Friday skips the weekend.
    assert due_date(D(2026, 3, 6), 1, "working_days", calendar=cal).due == D(2026, 3, 9)


# --- art. 202: months and years at month ends ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "unit", "period_end"),
    [
        (D(2026, 1, 31), 1, "months", D(2026, 2, 28)),  # no 31 February: the month's last day
        (D(2024, 1, 31), 1, "months", D(2024, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, "months", D(2026, 4, 30)),  # no 31 April
        (D(2024, 2, 29), 1, "years", D(2025, 2, 28)),  # no 29 February in 2025
        (D(2024, 2, 29), 4, "years", D(2028, 2, 29)),
        (D(2026, 1, 15), 1, "months", D(2026, 2, 15)),  # the corresponding day
        (D(2025, 11, 30), 3, "months", D(2026, 2, 28)),
        (D(2026, 8, 31), 18, "months", D(2028, 2, 29)),
    ],
)
def test_add_months_takes_the_corresponding_day_or_the_last_day(
    start: dt.date, amount: int, unit: str, period_end: dt.date
) -> None:
    assert add_months(start, amount * (12 if unit == "years" else 1)) == period_end


def test_month_ends_on_the_stored_calendar(cal: WorkCalendar) -> None:
    # 31 January 2026 + 1 month = Saturday 28 February 2026, a make-up workday after the Spring Festival: not moved.
    d = due_date(D(2026, 1, 31), 1, "months", calendar=cal)
    assert (d.period_end, d.due, d.extended) == (D(2026, 2, 28), D(2026, 2, 28), False)
    assert "调休上班日" in d.explanation and "不顺延" in d.explanation
    # 31 March 2026 + 1 month = Thursday 30 April 2026.
    assert due_date(D(2026, 3, 31), 1, "months", calendar=cal).due == D(2026, 4, 30)
    # 29 February 2024 + 1 year = Friday 28 February 2025.
    d = due_date(D(2024, 2, 29), 1, "years", calendar=cal)
    assert (d.period_end, d.due) == (D(2025, 2, 28), D(2025, 2, 28))
    assert d.articles == ("第二百零一条", "第二百零二条", "第二百零三条")
    # 31 January 2024 + 1 month = Thursday 29 February 2024.
    assert due_date(D(2024, 1, 31), 1, "months", calendar=cal).due == D(2024, 2, 29)


# --- art. 203: a last day on a rest day moves to the next working day ---------------------------------------


def test_a_period_ending_in_the_national_day_holiday_moves_to_the_first_working_day(cal: WorkCalendar) -> None:
    # 1 September 2026 + 1 month = 1 October (National Day, off until 7 October) -> Thursday 8 October.
    d = due_date(D(2026, 9, 1), 1, "months", calendar=cal)
    assert (d.period_end, d.due, d.extended) == (D(2026, 10, 1), D(2026, 10, 8), True)
    assert "第二百零三条" in d.explanation and "2026年10月8日" in d.explanation


def test_a_period_ending_on_a_weekend_moves_to_monday(cal: WorkCalendar) -> None:
    # Wednesday 4 March 2026 + 10 days = Saturday 14 March -> Monday 16 March.
    d = due_date(D(2026, 3, 4), 10, "calendar_days", calendar=cal)
    assert (d.period_end, d.due) == (D(2026, 3, 14), D(2026, 3, 16))


def test_a_period_ending_on_a_make_up_saturday_is_not_moved(cal: WorkCalendar) -> None:
    # 10 October 2026 is a Saturday but a make-up workday of the National Day arrangement.
    d = due_date(D(2026, 9, 30), 10, "calendar_days", calendar=cal)
    assert (d.period_end, d.due, d.extended) == (D(2026, 10, 10), D(2026, 10, 10), False)


# --- working days across Spring Festival and National Day --------------------------------------------------


def test_working_days_across_the_2024_spring_festival(cal: WorkCalendar) -> None:
    # Thursday 8 Feb 2024: 9 Feb (除夕, a working day in 2024) is the 1st, 10–17 Feb off, Sunday 18 Feb
    # (make-up) the 2nd, Monday 19 Feb the 3rd.
    assert due_date(D(2024, 2, 8), 3, "working_days", calendar=cal).due == D(2024, 2, 19)
    # Friday 2 Feb 2024: Sunday 4 Feb is a make-up workday and counts.
    assert due_date(D(2024, 2, 2), 1, "working_days", calendar=cal).due == D(2024, 2, 4)


def test_working_days_across_the_2026_spring_festival(cal: WorkCalendar) -> None:
    # Thursday 12 Feb 2026: Fri 13 (1), Sat 14 make-up (2), 15–23 off, Tue 24 (3) ... Fri 27 (6), Sat 28 make-up (7).
    assert due_date(D(2026, 2, 12), 2, "working_days", calendar=cal).due == D(2026, 2, 14)
    assert due_date(D(2026, 2, 12), 3, "working_days", calendar=cal).due == D(2026, 2, 24)
    assert due_date(D(2026, 2, 12), 7, "working_days", calendar=cal).due == D(2026, 2, 28)


def test_filing_15_working_days_after_a_signing_just_before_national_day(cal: WorkCalendar) -> None:
    # Datian [000 §5(3)]: a copy to the city bureau within 15 working days of signing.
    # Signed Monday 28 Sep 2026: 29, 30 Sep (2), 1–7 Oct off, 8, 9 Oct (4), Saturday 10 Oct make-up (5),
    # 12–16 Oct (10), 19–23 Oct (15).
    d = due_date(D(2026, 9, 28), 15, "working_days", calendar=cal)
    assert d == Deadline(D(2026, 9, 28), 15, "working_days", D(2026, 10, 23), (), D(2026, 10, 23))
    # 2025: signed Friday 26 Sep; Sunday 28 Sep and Saturday 11 Oct are make-up workdays, 1–8 Oct off.
    assert due_date(D(2025, 9, 26), 15, "working_days", calendar=cal).due == D(2025, 10, 23)
    # 2024: signed Friday 27 Sep: Sunday 29 Sep (1), 30 Sep (2), 1–7 Oct off, 8–11 Oct (6),
    # Saturday 12 Oct make-up (7), 14–18 Oct (12), 21–23 Oct (15).
    assert due_date(D(2024, 9, 27), 15, "working_days", calendar=cal).due == D(2024, 10, 23)


def test_the_stored_calendar_entry_point(cal: WorkCalendar) -> None:
    assert stored_due_date(D(2026, 9, 28), 15, "working_days").due == D(2026, 10, 23)


# --- years the calendar does not cover: never a guess ---------------------------------------------------


def test_a_count_into_an_uncovered_year_is_unknown(cal: WorkCalendar) -> None:
    d = due_date(D(2026, 12, 20), 15, "working_days", calendar=cal)
    assert (d.due, d.unknown_years) == (None, (2027,))
    assert "2027年" in d.explanation
    # A long count names every year it needs.
    assert due_date(D(2026, 6, 1), 500, "working_days", calendar=cal).unknown_years == (2027, 2028)
    # Calendar days, months and years: the last day's year must be known to apply art. 203.
    assert due_date(D(2026, 12, 31), 1, "calendar_days", calendar=cal).unknown_years == (2027,)
    assert due_date(D(2026, 9, 28), 1, "years", calendar=cal).due is None
    assert due_date(D(2003, 1, 5), 1, "months", calendar=cal).unknown_years == (2003,)


def test_art_203_running_into_an_uncovered_year_is_unknown() -> None:
    # A hand-made calendar: 2030 known, 2031 not; 31 December 2030 is a Tuesday but declared a day off.
    cal = WorkCalendar(covered_years=frozenset({2030}), off_days={D(2030, 12, 31): "测试"})
    d = due_date(D(2030, 12, 30), 1, "calendar_days", calendar=cal)
    assert (d.due, d.unknown_years) == (None, (2031,))


def test_a_hand_made_calendar_shows_the_rules_without_the_database() -> None:
    cal = WorkCalendar(
        covered_years=frozenset({2030}),
        off_days={D(2030, 5, 1): "劳动节", D(2030, 5, 2): "劳动节"},
        workdays={D(2030, 5, 4): "劳动节"},  # a Saturday
    )
    # Tuesday 30 April 2030: 1–2 May off, Fri 3 May (1), Sat 4 May make-up (2), Mon 6 May (3).
    assert due_date(D(2030, 4, 30), 3, "working_days", calendar=cal).due == D(2030, 5, 6)


@pytest.mark.parametrize(
    ("amount", "unit"), [(0, "working_days"), (-1, "months"), (3651, "working_days"), (101, "years"), (1, "weeks")]
)
def test_bad_arguments_raise(cal: WorkCalendar, amount: int, unit: str) -> None:
    with pytest.raises(ValueError):
        due_date(D(2026, 1, 1), amount, unit, calendar=cal)  # type: ignore[arg-type]
