"""python manage.py load_calendar [--rebuild-data]"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from core import audit
from workdays import seed
from workdays.models import CalendarYear


class Command(BaseCommand):
    help = (
        "Load the shipped working-day calendar (workdays/data/calendar.json) into the database. Idempotent: years "
        "already matching the file are untouched, years entered by the system administrator are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild-data",
            action="store_true",
            help="First regenerate workdays/data/calendar.json from the installed chinesecalendar package.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild_data"]:
            count = seed.write_data_file()
            self.stdout.write(f"Wrote {count} years to {seed.DATA_FILE}.")
        library, years = seed.read_data_file()
        with transaction.atomic():
            report = seed.load(
                years,
                year_model=apps.get_model("workdays", "CalendarYear"),
                day_model=apps.get_model("workdays", "CalendarDay"),
                library=library,
            )
            for year in [*report.created, *report.updated]:
                audit.record(
                    acting_user=None,
                    username="load_calendar",
                    event="import",
                    obj=CalendarYear.objects.get(pk=year),
                    changes={"source": library},
                    object_repr=f"{year}年节假日安排",
                )
        first, last = (years[0].year, years[-1].year) if years else (None, None)
        self.stdout.write(
            f"Calendar from {library}: years {first}–{last}; {len(report.created)} added, "
            f"{len(report.updated)} updated, {len(report.unchanged)} unchanged"
            + (f", kept as entered by the administrator: {report.kept_admin}" if report.kept_admin else "")
            + "."
        )
