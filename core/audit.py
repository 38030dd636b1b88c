"""Writing audit rows: one per change, with before/after values (SECURITY.md)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from .actor import Actor
from .models import AuditLog


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values for an audit diff. Encrypted personal fields never enter the trail in clear: they appear
    masked, with a short keyed digest so that a change is still seen (core.personal)."""
    from core.personal.fields import EncryptedTextField, LookupHashField

    by_attname = {f.attname: f for f in obj._meta.concrete_fields}
    out: dict[str, Any] = {}
    for name in fields or list(by_attname):
        field = by_attname.get(name)
        if isinstance(field, LookupHashField):
            continue
        value = getattr(obj, name)
        out[name] = field.audit_value(value) if isinstance(field, EncryptedTextField) else _plain(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v}


def record(
    *,
    acting_user: Actor | None,
    event: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    division_code: str = "",
    object_type: str = "",
    object_repr: str = "",
    ip: str | None = None,
    success: bool = True,
    username: str = "",
    subject: models.Model | None = None,
) -> AuditLog:
    """One audit row. ``subject`` is the person whose data the event touched (a ``PersonalRecord``, found by its
    public id), for events on personal data: unmask, export, and changes to records about people."""
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    return AuditLog.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        organisation_id=getattr(user, "organisation_id", None),
        event=event,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        division_code=division_code,
        changes=_plain(changes or {}),
        subject_type=subject._meta.label if subject is not None else "",
        subject_id=str(getattr(subject, "public_id", subject.pk)) if subject is not None else "",
        ip=ip,
        success=success,
    )


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


# Names people read for audit object types that are not models (a feature registers them in ready()),
# and for change keys that are not model fields. The core names no feature: apps register their own.
OBJECT_TYPE_LABELS: dict[str, str] = {}
CHANGE_KEY_LABELS: dict[str, str] = {
    "filters": "筛选条件",
    "rows": "行数",
    "format": "格式",
    "password": "密码",
}


def register_object_type(label: str, name: str) -> None:
    OBJECT_TYPE_LABELS[label] = name


def register_change_key(key: str, name: str) -> None:
    CHANGE_KEY_LABELS[key] = name


# object type → function(audit row) → [{"label", "before", "after"}], for features whose values need words.
CHANGE_FORMATTERS: dict[str, Any] = {}


def register_change_formatter(object_type: str, formatter: Any) -> None:
    CHANGE_FORMATTERS[object_type] = formatter


# The actions' own event names (a declared action records its verb), worded for the audit page; an app may add its
# own with register_event. An unknown event reads 「操作」, never an English code.
EVENT_LABELS: dict[str, str] = {
    "approve": "批准",
    "pay": "登记拨付",
    "return": "退回",
    "sign": "签订",
    "file": "报备",
    "activate": "生效",
    "expire": "到期",
    "terminate": "终止",
    "terms": "修改条款",
    "task_book": "修改任务书",
    "renew": "续签",
    "renewal_refused": "拒绝续签",
    "release": "解除锁定",
    "receive_filing": "接收报备",
    "finalize": "确定评估结果",
    "end": "终止",
    "document_upload": "上传文件",
    "confirm": "确认",
    "award": "确定成交",
    "assign": "指派",
    "amend": "变更",
    "add_bidder": "登记投标人",
    "score": "评分",
}


def register_event(code: str, label: str) -> None:
    EVENT_LABELS[code] = label


def event_label(code: str) -> str:
    from .models import AuditLog

    return dict(AuditLog.Event.choices).get(code) or EVENT_LABELS.get(code) or "操作"
