from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .api import schema  # noqa: F401  (registers the API key's OpenAPI description)
        from .schedules import setup_schedules

        post_migrate.connect(setup_schedules, sender=self, dispatch_uid="dashboards.setup_schedules")
