"""Reading personal data in clear: ``unmask`` (one record) and ``export_clear`` (a list), each an action.

Both need the role to hold the action in the model's ``ScopeRule.writers`` (``Action.UNMASK`` /
``Action.EXPORT``), the record to be in that action's scope (children's records only for the roles that serve
them), and a stated reason: one of ``REASONS`` plus a sentence in the user's words. Each person whose data
leaves the server in clear gets an audit row naming the user, the subject (the person), the fields, the reason
and the address it was asked from (SECURITY.md; 个人信息保护法 第五十一条、第五十五条).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from core import audit
from core.actions import declare
from core.actor import Actor
from core.models import AuditLog
from core.scoping import Action

from .fields import EncryptedTextField
from .models import PersonalRecord

# Why someone may read an identity number or phone in clear. The list is the platform's; the free text says
# which case it is.
REASONS: list[tuple[str, str]] = [
    ("contact", "联系服务对象开展服务"),
    ("verify", "核实身份信息"),
    ("assistance", "办理救助、补贴或转介"),
    ("emergency", "紧急情况处置"),
    ("supervision", "监督检查或审计"),
    ("other", "其他（请在说明中写明）"),
]
REASON_LABELS = dict(REASONS)
REASON_TEXT_MIN = 4
REASON_TEXT_MAX = 200


@dataclass(frozen=True)
class StatedReason:
    code: str
    text: str

    @property
    def label(self) -> str:
        return REASON_LABELS[self.code]

    def as_audit(self) -> dict[str, str]:
        return {"reason": self.code, "reason_label": self.label, "reason_text": self.text}


@dataclass(frozen=True)
class Revealed:
    values: dict[str, str]
    audit: AuditLog


def check_reason(code: str | None, text: str | None) -> StatedReason:
    """The reason, or a ValidationError on ``reason`` / ``reason_text`` in Chinese."""
    errors: dict[str, str] = {}
    code = (code or "").strip()
    text = " ".join((text or "").split())
    if code not in REASON_LABELS:
        errors["reason"] = "请选择查看明文的事由。"
    if len(text) < REASON_TEXT_MIN:
        errors["reason_text"] = f"请具体说明事由（至少 {REASON_TEXT_MIN} 个字），将记入审计日志。"
    elif len(text) > REASON_TEXT_MAX:
        errors["reason_text"] = f"说明不能超过 {REASON_TEXT_MAX} 个字。"
    if errors:
        raise ValidationError(errors)
    return StatedReason(code=code, text=text)


def _field_names(model: type[PersonalRecord], fields: Sequence[str] | None) -> list[str]:
    available = [f.name for f in model.personal_fields()]
    if not fields:
        return available
    unknown = [f for f in fields if f not in available]
    if unknown:
        raise ValidationError({"fields": f"不能查看这些字段的明文：{'、'.join(unknown)}"})
    return list(dict.fromkeys(fields))


def may_take(acting_user: Actor | None, model: type[models.Model], action: str) -> bool:
    """Whether the user's role holds ``action`` on this model at all (scope not considered)."""
    from core.scoping import scope_of

    rule = getattr(model, "scoping", None)
    return rule is not None and rule.may(scope_of(acting_user).role, action)


@transaction.atomic
def unmask(
    *,
    acting_user: Actor | None,
    obj: PersonalRecord,
    reason: str | None,
    reason_text: str | None,
    fields: Sequence[str] | None = None,
    ip: str | None = None,
) -> Revealed:
    """The clear values of ``fields`` (all encrypted fields by default) of one record, audited.

    Raises PermissionDenied (the views answer 404) when the record is not in the user's ``unmask`` scope,
    ValidationError when the reason is missing or the fields are not personal fields."""
    model = type(obj)
    in_scope = model.objects.for_user(acting_user, Action.UNMASK).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]
    if not in_scope:
        raise PermissionDenied("不在您的权限范围内。")
    stated = check_reason(reason, reason_text)
    names = _field_names(model, fields)
    row = audit.record(
        acting_user=acting_user,
        event=AuditLog.Event.UNMASK,
        obj=obj,
        subject=obj.audit_subject(),
        division_code=obj.audit_division(),
        changes={"fields": names, **stated.as_audit()},
        ip=ip,
    )
    return Revealed(values={name: getattr(obj, name) or "" for name in names}, audit=row)


@transaction.atomic
def export_clear(
    *,
    acting_user: Actor | None,
    objects: Iterable[PersonalRecord],
    model: type[PersonalRecord],
    reason: str | None,
    reason_text: str | None,
    fields: Sequence[str] | None = None,
    ip: str | None = None,
) -> list[PersonalRecord]:
    """Clear values for an export: every object must be in the user's ``export`` scope (else PermissionDenied),
    and each person gets one audit row. Returns the objects, re-read through ``for_user(user, "export")``."""
    wanted = [o.pk for o in objects]
    allowed = list(model.objects.for_user(acting_user, Action.EXPORT).filter(pk__in=wanted))  # type: ignore[attr-defined]
    if len(allowed) != len(set(wanted)) or not may_take(acting_user, model, Action.EXPORT):
        raise PermissionDenied("不在您的权限范围内。")
    stated = check_reason(reason, reason_text)
    names = _field_names(model, fields)
    rows = []
    for obj in allowed:
        subject = obj.audit_subject()
        rows.append(
            AuditLog(
                user=cast(Any, acting_user),
                username=acting_user.get_username() if acting_user is not None else "",
                organisation_id=getattr(acting_user, "organisation_id", None),
                event=AuditLog.Event.EXPORT,
                object_type=model._meta.label,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                division_code=obj.audit_division(),
                subject_type=subject._meta.label,
                subject_id=str(getattr(subject, "public_id", subject.pk)),
                changes={"fields": names, "clear": True, "count": len(allowed), **stated.as_audit()},
                ip=ip,
            )
        )
    AuditLog.objects.bulk_create(rows)
    order = {pk: n for n, pk in enumerate(wanted)}
    return sorted(allowed, key=lambda o: order[o.pk])


def record_masked_export(
    *, acting_user: Actor | None, model: type[models.Model], count: int, division_code: str = "", ip: str | None = None
) -> AuditLog:
    """A masked export (the default) is audited too, as one row without subjects, filed under the exporting
    user's division unless told otherwise (so the bureau above reads it)."""
    organisation = getattr(acting_user, "organisation", None)
    return audit.record(
        acting_user=acting_user,
        event=AuditLog.Event.EXPORT,
        object_type=model._meta.label,
        object_repr=f"{model._meta.verbose_name}（脱敏）",
        division_code=division_code or str(getattr(organisation, "division_id", "") or ""),
        changes={"clear": False, "count": count},
        ip=ip,
    )


def encrypted_field_labels(model: type[models.Model]) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}


def unmask_action_name(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.unmask"


def export_action_name(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.export"


def declare_personal_actions(model: type[models.Model]) -> None:
    """Declare ``unmask`` and ``export`` (clear values) for a model of personal records, so that the API base
    lets its unmask endpoint through and the write matrix covers them. Call from the app's ``ready()``."""
    declare(unmask_action_name(model), label="查看明文", model=model, verb=Action.UNMASK)(unmask)
    declare(export_action_name(model), label="导出明文", model=model, verb=Action.EXPORT, detail=False)(export_clear)
