from __future__ import annotations

from typing import Any

from celery import shared_task

from .schedules import TASK


@shared_task(name=TASK)
def refresh_indicators(today: str | None = None) -> dict[str, Any]:
    """The periods that can still change (this month, quarter and year), as the system actor."""
    import datetime as dt

    from .refresh import refresh_current

    day = dt.date.fromisoformat(today) if today else None
    return refresh_current(day)
