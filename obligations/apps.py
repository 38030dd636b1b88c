from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ObligationsConfig(AppConfig):
    name = "obligations"
    verbose_name = "待办与提醒"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (declares waive and mark-read with core.actions)
        from .schedules import setup_schedules

        # The daily beat job, created idempotently after migrate (no database access here).
        post_migrate.connect(setup_schedules, sender=self, dispatch_uid="obligations.setup_schedules")
