from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top floor: each role's home page and the demo data; it may import every app."""

    name = "home"
    verbose_name = "首页"
