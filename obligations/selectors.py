"""Reads of obligations and notifications that pages, the API and the home page share (all via for_user)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from accounts.models import User
from core.scoping import Action

from .models import Notification, Obligation

State = Obligation.State
# The order a to-do list is read in: overdue first, then due soon, then what is coming.
TODO_GROUPS = [
    (State.OVERDUE, "已逾期", "danger"),
    (State.DUE_SOON, "即将到期", "warning"),
    (State.UPCOMING, "即将开始", "secondary"),
]


def visible_obligations(user: User) -> QuerySet[Obligation]:
    return Obligation.objects.for_user(user, Action.VIEW)


def todo(user: User, limit: int = 10) -> dict[str, Any]:
    """The user's 待办: counts per open state (one query) and the first ``limit`` of each group (one each)."""
    visible = visible_obligations(user)
    counts = dict(
        visible.filter(state__in=Obligation.OPEN_STATES).order_by().values_list("state").annotate(n=Count("pk"))
    )
    groups = []
    for state, label, tone in TODO_GROUPS:
        n = counts.get(state, 0)
        items = (
            list(visible.filter(state=state).select_related("owner").order_by("due_date", "pk")[:limit]) if n else []
        )
        groups.append({"state": state, "label": label, "tone": tone, "count": n, "items": items})
    return {"groups": groups, "total": sum(counts.values()), "limit": limit}


def unread_count(user: User) -> int:
    return Notification.objects.for_user(user, Action.VIEW).filter(read_at__isnull=True).count()
