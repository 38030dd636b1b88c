"""Every write to policies: keyword-only, atomic, validated, audited, re-checked against scope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import audit
from core.scoping import Action, scope_of
from stations.models import Division

from .models import Policy, PolicyRule
from .registry import preset_files, rules


def can_edit_policy_of(user: Any, division_code: str) -> bool:
    """A bureau edits the policy of its own division only; system administrators any."""
    scope = scope_of(user)
    if scope.is_global:
        return True
    if not Policy.scoping.may(scope.role, Action.CHANGE):
        return False
    return getattr(user.organisation, "division_id", None) == division_code


def _check(user: Any, division_code: str) -> None:
    if not can_edit_policy_of(user, division_code):
        raise PermissionDenied("只能修改本级民政部门的政策方案。")


@transaction.atomic
def policy_get_or_create(*, acting_user: Any, division: Division) -> Policy:
    _check(acting_user, division.code)
    policy = Policy.objects.filter(division=division).first()
    if policy is not None:
        return policy
    policy = Policy(
        division=division, name=f"{division.name}社工站政策方案", issuer=str(acting_user.organisation or "")
    )
    policy.full_clean()
    policy.save()
    audit.record(
        acting_user=acting_user, event="create", obj=policy, division_code=division.code, changes={"name": policy.name}
    )
    return policy


@transaction.atomic
def policy_rule_set(
    *, acting_user: Any, policy: Policy, key: str, value: Any, clause: str, quote: str = "", note: str = ""
) -> PolicyRule:
    """Set (override) one rule on a policy. Raises ValidationError with a Chinese message."""
    _check(acting_user, policy.division_id)
    if key not in rules():
        raise ValidationError({"key": f"未知的规则：{key}"})
    if not clause.strip():
        raise ValidationError({"clause": "请注明依据的文件条款，例如 [000 §4(4)]。"})
    row = PolicyRule.objects.filter(policy=policy, key=key).first()
    before = audit.snapshot(row, ["value", "clause", "quote", "note"]) if row else {}
    if row is None:
        row = PolicyRule(policy=policy, key=key)
    row.value, row.clause, row.quote, row.note = value, clause.strip(), quote.strip(), note.strip()
    row.full_clean()
    row.save()
    after = audit.snapshot(row, ["value", "clause", "quote", "note"])
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            acting_user=acting_user,
            event="update" if before else "create",
            obj=row,
            object_repr=f"{policy.division.name} · {rules()[key].label}",
            division_code=policy.division_id,
            changes=changes,
        )
    if not PolicyRule.objects.for_user(acting_user, Action.CHANGE).filter(pk=row.pk).exists():
        raise PermissionDenied("修改后的规则不在您的权限范围内。")
    return row


@transaction.atomic
def policy_rule_clear(*, acting_user: Any, policy: Policy, key: str) -> bool:
    """Remove an override so the value is inherited from above again."""
    _check(acting_user, policy.division_id)
    row = PolicyRule.objects.filter(policy=policy, key=key).first()
    if row is None:
        return False
    before = audit.snapshot(row, ["value", "clause", "quote", "note"])
    audit.record(
        acting_user=acting_user,
        event="delete",
        obj=row,
        object_repr=f"{policy.division.name} · {rules()[key].label}",
        division_code=policy.division_id,
        changes={k: {"before": v, "after": None} for k, v in before.items()},
    )
    row.delete()
    return True


def load_preset(path: Path) -> Policy:
    """Load one preset file; idempotent (re-running it leaves the data as the file says)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    division = Division.objects.filter(code=data["division"]).first()
    if division is None:
        raise ValidationError(f"预置方案 {path.name}：行政区划 {data['division']} 尚未导入。")
    registry = rules()
    with transaction.atomic():
        policy, _ = Policy.objects.update_or_create(
            division=division,
            defaults={
                "name": data["name"],
                "issuer": data.get("issuer", ""),
                "year": data.get("year"),
                "seed": data.get("seed", ""),
                "preset": data["code"],
            },
        )
        keep = []
        for r in data["rules"]:
            if r["key"] not in registry:
                raise ValidationError(f"预置方案 {path.name}：未知的规则 {r['key']}")
            row = PolicyRule(
                policy=policy,
                key=r["key"],
                value=r["value"],
                clause=r.get("clause", ""),
                quote=r.get("quote", "")[:300],
                note=r.get("note", "")[:300],
            )
            row.value = registry[r["key"]].validate(row.value)
            PolicyRule.objects.update_or_create(
                policy=policy,
                key=row.key,
                defaults={"value": row.value, "clause": row.clause, "quote": row.quote, "note": row.note},
            )
            keep.append(row.key)
        PolicyRule.objects.filter(policy=policy).exclude(key__in=keep).delete()
    return policy


def load_presets() -> list[Policy]:
    return [load_preset(p) for p in preset_files()]
