from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: scope, audit, actions, base views, viewsets and admin. Imports no feature app."""

    name = "core"
    verbose_name = "平台"

    def ready(self) -> None:
        from core.personal import checks  # noqa: F401 - registers the key checks
