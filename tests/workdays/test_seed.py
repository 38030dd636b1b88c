"""The shipped calendar: the data file is what the pinned library says, migrate loads it on a fresh install
(no demo data needed), and ``load_calendar`` is idempotent and never overwrites the administrator's years."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditLog
from workdays import seed
from workdays.apps import load_shipped_calendar
from workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_the_shipped_file_is_what_the_pinned_library_gives() -> None:
    library, years = seed.from_library()
    shipped_library, shipped = seed.read_data_file()
    assert library == shipped_library == "chinesecalendar 1.11.0"
    assert [y.as_json() for y in years] == [y.as_json() for y in shipped]
    payload = json.loads(seed.DATA_FILE.read_text(encoding="utf-8"))
    assert [y["year"] for y in payload["years"]] == list(range(2004, 2027))


def test_migrate_loaded_every_shipped_year() -> None:
    # The test database was only migrated (post_migrate ran the loader); the demo data adds no calendar.
    assert list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True)) == list(range(2004, 2027))
    assert CalendarYear.objects.get(year=2025).notice == "国办发明电〔2024〕12号"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"


def test_load_calendar_twice_changes_nothing() -> None:
    out = io.StringIO()
    audits = AuditLog.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        call_command("load_calendar", stdout=out)
    assert "0 added, 0 updated, 23 unchanged" in out.getvalue()
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert writes == []
    assert AuditLog.objects.count() == audits


def test_load_calendar_restores_a_damaged_library_year_and_audits_it() -> None:
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).delete()
    CalendarDay.objects.filter(date=dt.date(2026, 10, 7)).update(name="改错了")
    out = io.StringIO()
    call_command("load_calendar", stdout=out)
    assert "0 added, 1 updated, 22 unchanged" in out.getvalue()
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 7)).name == "国庆节"
    log = AuditLog.objects.order_by("-pk").first()
    assert log is not None and (log.event, log.username, log.object_id) == ("import", "load_calendar", "2026")


def test_a_year_entered_by_the_administrator_is_never_overwritten() -> None:
    CalendarYear.objects.filter(year=2026).update(origin="admin", notice="管理员更正")
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).delete()
    out = io.StringIO()
    call_command("load_calendar", stdout=out)
    assert "kept as entered by the administrator: [2026]" in out.getvalue()
    assert not CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).exists()
    assert CalendarYear.objects.get(year=2026).notice == "管理员更正"


def test_the_post_migrate_hook_loads_an_empty_database() -> None:
    CalendarYear.objects.all().delete()
    assert not CalendarDay.objects.exists()
    load_shipped_calendar(apps.get_app_config("workdays"), apps=apps, using="default", verbosity=0)
    assert CalendarYear.objects.count() == 23
    assert CalendarDay.objects.filter(date__year=2026).count() == 33 + 6


def test_the_date_must_lie_in_its_year() -> None:
    from django.core.exceptions import ValidationError

    day = CalendarDay(date=dt.date(2027, 1, 1), kind="off", name="元旦", year_id=2026)
    with pytest.raises(ValidationError, match="日期须在所属年度之内"):
        day.full_clean()
