"""The daily job opening reporting periods as a Celery task (beat entry: evaluation/reports/schedules.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from celery import shared_task

from .periods import open_periods
from .schedules import TASK


@shared_task(name=TASK)
def open_reporting_periods(today: str | None = None) -> dict[str, Any]:
    """Create the reports whose period has begun, as the system actor; ``today`` (ISO date) for replays."""
    day = dt.date.fromisoformat(today) if today else None
    return dataclasses.asdict(open_periods(today=day))
