"""Writes to the calendar: the system administrator enters or corrects a year's arrangement (all or nothing,
one audit row with the before/after days)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from core import audit
from core.actions import declare
from core.scoping import Action, Role, scope_of

from .arrangement import HolidayRow, check_rows
from .models import CalendarDay, CalendarYear


def _days_snapshot(year: CalendarYear | None) -> dict[str, Any]:
    if year is None:
        return {}
    days = list(year.days.order_by("date").values_list("date", "kind", "name"))
    return {
        "notice": year.notice,
        "source": year.source,
        "complete": year.complete,
        "origin": year.origin,
        "off_days": {d.isoformat(): n for d, k, n in days if k == CalendarDay.Kind.OFF},
        "workdays": {d.isoformat(): n for d, k, n in days if k == CalendarDay.Kind.WORKDAY},
    }


@declare(
    "workdays.save_arrangement",
    label="录入节假日安排",
    model=CalendarYear,
    verb=Action.CHANGE,
    roles=frozenset(),  # the system administrator only
    detail=False,
)
@transaction.atomic
def save_arrangement(
    *,
    acting_user: User,
    year: int,
    notice: str,
    source: str,
    complete: bool,
    holidays: list[HolidayRow],
    ip: str | None = None,
) -> CalendarYear:
    """Replace the days of ``year`` with ``holidays`` (creating the year when new). Only the system
    administrator may; anything invalid raises ValidationError and nothing is saved."""
    if scope_of(acting_user).role != Role.ADMIN:
        raise PermissionDenied("只有系统管理员可以录入节假日安排。")
    problems = check_rows(year, holidays)
    if problems:
        raise ValidationError(problems.messages())
    row = CalendarYear.objects.for_user(acting_user, Action.CHANGE).select_for_update().filter(year=year).first()
    before = _days_snapshot(row)
    created = row is None
    if row is None:
        row = CalendarYear(year=year)
    row.notice = notice.strip()
    row.source = source.strip()
    row.complete = complete
    row.origin = CalendarYear.Origin.ADMIN
    row.full_clean()
    row.save()
    days = [
        CalendarDay(date=day, kind=CalendarDay.Kind.OFF, name=h.name.strip(), year=row)
        for h in holidays
        for day in h.days_off()
    ] + [
        CalendarDay(date=day, kind=CalendarDay.Kind.WORKDAY, name=h.name.strip(), year=row)
        for h in holidays
        for day in h.workdays
    ]
    for day in days:
        day.full_clean(exclude=["year", "date"])  # date uniqueness: the year's old rows are replaced below
    CalendarDay.objects.filter(year=row).delete()
    CalendarDay.objects.bulk_create(sorted(days, key=lambda d: d.date))
    changes = audit.diff(before, _days_snapshot(row))
    if changes:
        audit.record(
            acting_user=acting_user,
            event="create" if created else "update",
            obj=row,
            changes=changes,
            object_repr=f"{year}年节假日安排",
            ip=ip,
        )
    return row
