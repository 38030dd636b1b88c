"""Writes people make on obligations and notifications (the sweep's own writes are in sweep.py).

- ``obligation_waive``: a bureau in whose subtree an open obligation lies waives it with a reason; audited.
- ``notification_mark_read`` / ``notifications_mark_all_read``: a user marks its own messages read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.access import access
from core.actions import check_state, declare
from core.audit import client_ip, record, snapshot
from core.scoping import BUREAU_ROLES, Action

from .models import Notification, Obligation

WAIVE_FIELDS = ["state", "waived_at", "waived_by_id", "waive_reason", "updated_at"]


def access_obligation(user: User, pk: Any, action: str = Action.VIEW) -> Obligation:
    """The obligation with this id if the user may take ``action`` on it, else 404 (never 403)."""
    return access(Obligation, user, pk, action, queryset=Obligation.objects.select_related("owner", "division"))


def access_notification(user: User, pk: Any, action: str = Action.VIEW) -> Notification:
    return access(Notification, user, pk, action)


def can_waive(user: User, obligation: Obligation) -> bool:
    return obligation.is_open and Obligation.objects.for_user(user, Action.CHANGE).filter(pk=obligation.pk).exists()


@declare(
    "obligations.waive",
    label="免除",
    model=Obligation,
    verb=Action.CHANGE,
    roles=BUREAU_ROLES,
    state_field="state",
    states=Obligation.OPEN_STATES,
)
@transaction.atomic
def obligation_waive(*, acting_user: User, obligation_id: int, reason: str, request: Any = None) -> Obligation:
    obligation = access_obligation(acting_user, obligation_id, Action.CHANGE)
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明免除的理由。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "理由不能超过 300 个字。"})
    if not obligation.is_open:
        raise ValidationError({"reason": f"该事项已{obligation.get_state_display()}，不能再免除。"})
    check_state("obligations.waive", obligation)
    before = snapshot(obligation, WAIVE_FIELDS)
    now = timezone.now()
    obligation.state = Obligation.State.WAIVED
    obligation.waived_at = now
    obligation.waived_by = acting_user
    obligation.waive_reason = reason
    obligation.updated_at = now
    obligation.full_clean()
    obligation.save(update_fields=["state", "waived_at", "waived_by", "waive_reason", "updated_at"])
    after = snapshot(obligation, WAIVE_FIELDS)
    record(
        acting_user=acting_user,
        event="update",
        obj=obligation,
        changes={k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v},
        division_code=obligation.division_id,
        ip=client_ip(request),
    )
    return obligation


@declare("obligations.notification_read", label="标为已读", model=Notification, verb=Action.CHANGE)
@transaction.atomic
def notification_mark_read(*, acting_user: User, notification_id: int, request: Any = None) -> Notification:
    notification = access_notification(acting_user, notification_id, Action.CHANGE)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record(
            acting_user=acting_user,
            event="update",
            obj=notification,
            changes={"read_at": {"before": None, "after": notification.read_at}},
            ip=client_ip(request),
        )
    return notification


@declare(
    "obligations.notifications_read_all", label="全部标为已读", model=Notification, verb=Action.CHANGE, detail=False
)
@transaction.atomic
def notifications_mark_all_read(*, acting_user: User, request: Any = None) -> int:
    """One UPDATE over the user's own unread messages; one audit row with the count."""
    now = timezone.now()
    count = Notification.objects.for_user(acting_user, Action.CHANGE).filter(read_at__isnull=True).update(read_at=now)
    if count:
        record(
            acting_user=acting_user,
            event="update",
            object_type="obligations.Notification",
            object_repr=f"全部标为已读（{count} 条）",
            changes={"read_at": {"before": None, "after": now}, "count": count},
            ip=client_ip(request),
        )
    return int(count)
