from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "绩效评估"

    def ready(self) -> None:
        from evaluation.reports.setup import ready as reports_ready

        from . import actions  # noqa: F401  (declares the evaluation actions with core.actions)
        from .obligations import register_kinds

        register_kinds()
        reports_ready(self)
