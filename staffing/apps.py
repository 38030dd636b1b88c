from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "驻站社工"

    def ready(self) -> None:
        from core.personal.access import declare_personal_actions

        from . import actions  # noqa: F401  (declares the staffing actions with core.actions)
        from .models import SocialWorker
        from .obligations import register_kinds

        declare_personal_actions(SocialWorker)
        register_kinds()
