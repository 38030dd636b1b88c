from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_migrate


def load_shipped_calendar(sender: AppConfig, *, apps: Any = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After every ``migrate`` (and test-database flush), load the shipped calendar (idempotent, workdays.seed):
    a production install without demo data knows the published years from the start."""
    from . import seed

    if apps is None:
        return
    try:
        year_model = apps.get_model("workdays", "CalendarYear")
        day_model = apps.get_model("workdays", "CalendarDay")
    except LookupError:
        return  # the app's tables are migrated away
    tables = connections[using].introspection.table_names()
    if year_model._meta.db_table not in tables or day_model._meta.db_table not in tables:
        return
    library, years = seed.read_data_file()
    with transaction.atomic(using=using):
        report = seed.load(years, year_model=year_model, day_model=day_model, library=library)
    if kwargs.get("verbosity", 1) >= 1 and (report.created or report.updated):
        print(f"  Calendar: {len(report.created)} years added, {len(report.updated)} updated from {library}.")  # noqa: T201


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (declares the calendar's action with core.actions)

        # Connecting a receiver touches no database; the receiver runs only when migrate (or flush) has run.
        post_migrate.connect(load_shipped_calendar, sender=self, dispatch_uid="workdays.load_shipped_calendar")
