from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "服务"

    def ready(self) -> None:
        from core.personal.access import declare_personal_actions

        from . import actions  # noqa: F401  (declares the services actions with core.actions)
        from .audit import register as register_audit_words
        from .models import Beneficiary
        from .obligations import register_kinds

        # Unmasking and clear export of beneficiaries' personal data are declared actions (core.personal).
        declare_personal_actions(Beneficiary)
        # Visit escalations are obligations (obligations/registry.py; no database access here).
        register_kinds()
        # The audit page words visits' checklists (no codes shown to people).
        register_audit_words()
