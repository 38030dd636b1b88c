"""Obligations: anything someone owes by a date, the reminders claimed for them and the inbox they fill.

An obligation is created and moved by the daily sweep (obligations/sweep.py) from the kinds that apps
register (obligations/registry.py); people only read them, and a bureau may waive one with a reason
(obligations/actions.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.scoping import BUREAU_ROLES, Role, ScopedManager, ScopeRule

SYSTEM_ONLY = frozenset({Role.SYSTEM})
EVERY_ROLE = frozenset(Role) - {Role.NONE}


class Obligation(models.Model):
    class State(models.TextChoices):
        UPCOMING = "upcoming", "未到期"
        DUE_SOON = "due_soon", "即将到期"
        OVERDUE = "overdue", "已逾期"
        DONE = "done", "已完成"
        WAIVED = "waived", "已免除"

    OPEN_STATES = (State.UPCOMING, State.DUE_SOON, State.OVERDUE)
    # Stages at which a reminder is raised, once each (Reminder's unique constraint).
    REMINDER_STAGES = (State.DUE_SOON, State.OVERDUE)

    kind = models.CharField("事项类型", max_length=60, db_index=True)
    title = models.CharField("事项", max_length=200)
    # Which object it is about (a station, a contract …) and, for recurring duties, which period.
    content_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField("对象编号")
    period = models.CharField("期间", max_length=20, blank=True, default="")
    # Who owes it; who is told (the bureau at notify_division); where it belongs in the tree (scope).
    owner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
    )
    division = models.ForeignKey(
        "stations.Division", verbose_name="所属区划", on_delete=models.PROTECT, related_name="obligations"
    )
    notify_division = models.ForeignKey(
        "stations.Division",
        verbose_name="督办区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="watched_obligations",
        help_text="该区划的民政部门收到提醒",
    )
    due_date = models.DateField("截止日期", db_index=True)
    rule_key = models.CharField("依据规则", max_length=80, blank=True)
    clause = models.CharField("依据条款", max_length=120, blank=True)
    link = models.CharField("办理入口", max_length=200, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.UPCOMING, db_index=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    waived_at = models.DateTimeField("免除时间", null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="免除人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    waive_reason = models.CharField("免除理由", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间")
    updated_at = models.DateTimeField("更新时间")

    objects = ScopedManager()
    # Bureaus and townships see their subtree; everyone sees what its organisation owes; an agency or an
    # evaluator sees only what it owes. The sweep (system actor) creates and moves them; a bureau waives.
    scoping = ScopeRule(
        division="division_id",
        agency="owner_id",
        owner="owner_id",
        writers={"add": SYSTEM_ONLY, "change": BUREAU_ROLES | SYSTEM_ONLY},
    )

    class Meta:
        verbose_name = "待办事项"
        verbose_name_plural = "待办事项"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "period"],
                name="%(app_label)s_%(class)s_one_per_object_period",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="waived") | ~models.Q(waive_reason=""),
                name="%(app_label)s_%(class)s_waived_has_reason",
                violation_error_message="免除须写明理由。",
            ),
        ]
        indexes = [models.Index(fields=["kind", "state"], name="obligation_kind_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class Reminder(models.Model):
    """The claim of one reminder stage of one obligation: the unique constraint makes it happen once."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField("提醒阶段", max_length=10, choices=Obligation.State.choices)
    sweep = models.UUIDField("批次", db_index=True)
    claimed_at = models.DateTimeField("提醒时间")

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        constraints = [
            models.UniqueConstraint(fields=["obligation", "stage"], name="%(app_label)s_%(class)s_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id}:{self.stage}"


class Notification(models.Model):
    """One message in a user's inbox (and by email where the user has an address)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="收件单位", on_delete=models.CASCADE, null=True, blank=True
    )
    obligation = models.ForeignKey(
        Obligation, verbose_name="事项", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = ScopedManager()
    # Own inbox only (whatever the role): each user marks its own messages read; the system actor delivers
    # them (adds) and records the email sent.
    scoping = ScopeRule(user="recipient_id", writers={"add": SYSTEM_ONLY, "change": EVERY_ROLE})

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient"], name="%(app_label)s_%(class)s_once_per_reminder_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
