from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "机构与账号"

    def ready(self) -> None:
        from core.scoping import register_role_resolver

        from . import checks, signals  # noqa: F401  (registers checks, connects audit receivers; no database)
        from .roles import role_of

        register_role_resolver(role_of)
