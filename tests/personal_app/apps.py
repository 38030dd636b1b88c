from django.apps import AppConfig


class PersonalAppConfig(AppConfig):
    name = "tests.personal_app"
    label = "personal_app"
    verbose_name = "个人信息（测试）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.personal.access import declare_personal_actions

        from . import actions  # noqa: F401  (declares person_create)
        from .models import Person

        declare_personal_actions(Person)
