"""Celery tasks of the services app (thin: they call the obligations sweep for one kind)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="services.sweep_escalations")
def sweep_escalations() -> dict[str, Any]:
    """Tell the township and the county bureau about new visit escalations now, not at the next daily sweep.
    Safe to run twice: the sweep claims each reminder once."""
    from obligations.sweep import run_sweep

    from .obligations import ESCALATION_KIND

    return run_sweep(kind_keys=[ESCALATION_KIND]).as_dict()
