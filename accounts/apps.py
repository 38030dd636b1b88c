from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "机构与账号"

    def ready(self) -> None:
        from core.scoping import register_role_resolver

        from . import (
            actions,  # noqa: F401  (declares the account actions with core.actions)
            checks,  # noqa: F401  (registers checks)
            signals,  # noqa: F401  (connects audit receivers; touches no database)
        )
        from .roles import role_of

        register_role_resolver(role_of)
