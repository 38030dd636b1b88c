from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: scope, audit, actions, base views, viewsets and admin. Imports no feature app."""

    name = "core"
    verbose_name = "平台"

    def ready(self) -> None:
        # Registers the key checks, and MaskedField as ModelSerializer's default for encrypted fields.
        from core.personal import api, checks  # noqa: F401
