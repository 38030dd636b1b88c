from django.apps import AppConfig


class PersonalAppConfig(AppConfig):
    name = "tests.personal_app"
    label = "personal_app"
    verbose_name = "个人信息（测试）"
    default_auto_field = "django.db.models.BigAutoField"
