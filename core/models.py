"""Models of the ground floor: the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .scoping import BUREAU_ROLES, ScopedManager, ScopeRule


class AuditLog(models.Model):
    """Append-only audit trail (SECURITY.md): who, when, what, before/after, outcome."""

    class Event(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        UNMASK = "unmask", "查看明文"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # No database constraint and no cascade: the append-only table is never updated when a user or an
    # organisation goes away; ``username`` keeps who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    # The acting user's organisation at the time, kept as a plain id (the core names no tenant model).
    organisation_id = models.BigIntegerField("机构编号", null=True, blank=True, db_index=True)
    event = models.CharField("事件", max_length=16, choices=Event.choices)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    division_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    # Whose personal data the event touched (core.personal): the model label and public id of the person the
    # record is about, so the trail can answer "who saw this person's data, and why".
    subject_type = models.CharField("当事人类型", max_length=60, blank=True, db_default="")
    subject_id = models.CharField("当事人编号", max_length=64, blank=True, db_index=True, db_default="")
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    success = models.BooleanField("结果", default=True)

    objects = ScopedManager()
    # Only civil-affairs bureaus (and system administrators) read the audit trail of their subtree.
    scoping = ScopeRule(division="division_code", viewers=BUREAU_ROLES)

    class Meta:
        db_table = "accounts_auditlog"  # moved from accounts; the append-only trigger is on this table
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.event_label} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("审计日志只能追加，不能删除。")

    @property
    def event_label(self) -> str:
        """The event in words, an action's own verb included (core.audit.EVENT_LABELS)."""
        from .audit import event_label

        return event_label(self.event)
