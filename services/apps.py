from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "服务"

    def ready(self) -> None:
        from core.personal.access import declare_personal_actions

        from . import actions  # noqa: F401  (declares the services actions with core.actions)
        from .models import Beneficiary
        from .obligations import register_kinds

        # Unmasking and clear export of beneficiaries' personal data are declared actions (core.personal).
        declare_personal_actions(Beneficiary)
        # Visit escalations are obligations (obligations/registry.py; no database access here).
        register_kinds()
