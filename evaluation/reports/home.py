"""The reports' panel on the home pages: the briefs waiting for the user's step and the overdue ones."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from core.scoping import Action, Role, scope_of

from .models import MonthlyBrief
from .selectors import overdue_briefs, review_queue

LIMIT = 10


def home_context(user: User) -> dict[str, Any]:
    role = scope_of(user).role
    if role == Role.AGENCY:
        waiting = (
            MonthlyBrief.objects.for_user(user, Action.CHANGE)
            .filter(state__in=[MonthlyBrief.State.DRAFT, MonthlyBrief.State.RETURNED])
            .select_related("station", "agency")
            .order_by("due_date", "pk")
        )
        title = "待填写、待修改的简报"
    else:
        waiting = review_queue(user)
        title = "待乡镇审核的简报" if role == Role.TOWNSHIP else "待验收的简报"
    overdue = overdue_briefs(user)
    return {
        "reports_panel": {
            "title": title,
            "waiting": list(waiting[:LIMIT]),
            "waiting_count": waiting.count(),
            "overdue": list(overdue[:LIMIT]),
            "overdue_count": overdue.count(),
        }
    }
