"""The daily sweep as a Celery task (scheduled by the beat job obligations/schedules.py sets up)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from .schedules import SWEEP_TASK
from .sweep import run_sweep


@shared_task(name=SWEEP_TASK)
def sweep_obligations(today: str | None = None) -> dict[str, Any]:
    """Run the sweep as the system actor; ``today`` (ISO date) only for replays and tests."""
    day = dt.date.fromisoformat(today) if today else None
    return run_sweep(today=day).as_dict()
