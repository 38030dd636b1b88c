"""Wiring of the reports package, called from EvaluationConfig.ready() (no database access here)."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ready(app_config: AppConfig) -> None:
    from . import actions, tasks  # noqa: F401  (declares the actions; registers the Celery task)
    from .obligations import register_kinds
    from .schedules import setup_schedules

    register_kinds()
    post_migrate.connect(setup_schedules, sender=app_config, dispatch_uid="evaluation.reports.setup_schedules")
