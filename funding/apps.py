from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "项目经费"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (declares the funding actions with core.actions)
        from .obligations import register_kinds

        # The nightly budget check raises its alerts as obligations (obligations/registry.py; no database here).
        register_kinds()
