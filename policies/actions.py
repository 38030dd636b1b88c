"""Every write to policies: keyword-only, atomic, validated, audited, re-checked against scope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from core import audit
from core.actions import declare
from core.scoping import Action, scope_of
from stations.models import Division

from .models import Policy, PolicyPreset, PolicyRule
from .registry import STRENGTHS, cite, preset_files, rules, vocabulary


def can_edit_policy_of(user: User, division_code: str) -> bool:
    """A bureau edits the policy of its own division only; system administrators any."""
    scope = scope_of(user)
    if scope.is_global:
        return True
    if not Policy.scoping.may(scope.role, Action.CHANGE):
        return False
    return getattr(user.organisation, "division_id", None) == division_code


def _check(user: User, division_code: str) -> None:
    if not can_edit_policy_of(user, division_code):
        raise PermissionDenied("只能修改本级民政部门的政策方案。")


@declare("policies.create", label="建立本级方案", model=Policy, verb=Action.ADD, detail=False)
@transaction.atomic
def policy_get_or_create(*, acting_user: User, division: Division) -> Policy:
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


RULE_FIELDS = ["value", "strength", "condition", "condition_code", "not_applicable", "clause", "quote", "note"]


@declare("policies.rule_set", label="设定规则", model=Policy, verb=Action.CHANGE)
@transaction.atomic
def policy_rule_set(
    *,
    acting_user: User,
    policy: Policy,
    key: str,
    value: Any,
    clause: str,
    quote: str = "",
    note: str = "",
    strength: str = "must",
    condition: str = "",
    condition_code: str = "",
    not_applicable: bool = False,
) -> PolicyRule:
    """Set (override) one rule on a policy, or declare it 不适用 here. Raises ValidationError in Chinese."""
    _check(acting_user, policy.division_id)
    return _rule_write(
        acting_user=acting_user,
        policy=policy,
        key=key,
        fields={
            "value": None if not_applicable else value,
            "strength": strength,
            "condition": (condition or "").strip(),
            "condition_code": condition_code or "",
            "not_applicable": bool(not_applicable),
            "clause": (clause or "").strip(),
            "quote": (quote or "").strip(),
            "note": (note or "").strip(),
        },
    )


def _rule_write(*, acting_user: User, policy: Policy, key: str, fields: dict[str, Any]) -> PolicyRule:
    if key not in rules():
        raise ValidationError({"key": f"未知的规则：{key}"})
    if not fields["clause"]:
        raise ValidationError({"clause": "请注明依据的文件及条款，例如“田政办〔2021〕25号 第四部分第（四）项”。"})
    if fields["condition_code"] and fields["condition_code"] not in vocabulary("conditions"):
        raise ValidationError({"condition_code": "适用条件不是可选的值。"})
    row = PolicyRule.objects.select_for_update().filter(policy=policy, key=key).first()
    before = audit.snapshot(row, RULE_FIELDS) if row else {}
    if row is None:
        row = PolicyRule(policy=policy, key=key)
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    after = audit.snapshot(row, RULE_FIELDS)
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
    if (
        acting_user is not None
        and not PolicyRule.objects.for_user(acting_user, Action.CHANGE).filter(pk=row.pk).exists()
    ):
        raise PermissionDenied("修改后的规则不在您的权限范围内。")
    return row


@declare("policies.rule_clear", label="取消本级规定", model=Policy, verb=Action.CHANGE)
@transaction.atomic
def policy_rule_clear(*, acting_user: User, policy: Policy, key: str) -> bool:
    """Remove an override so the value is inherited from above again."""
    _check(acting_user, policy.division_id)
    row = PolicyRule.objects.filter(policy=policy, key=key).first()
    if row is None:
        return False
    before = audit.snapshot(row, RULE_FIELDS)
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


# --- presets: templates a bureau adopts ------------------------------------------------------------------


def validate_preset(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Every rule of a preset file checked as the editor checks it; returns the normalised rules."""
    registry = rules()
    for field in ("code", "name", "seed", "rules"):
        if not data.get(field):
            raise ValidationError(f"预置方案 {name}：缺少 {field}。")
    seen: set[str] = set()
    out = []
    for r in data["rules"]:
        key = r.get("key")
        if key not in registry:
            raise ValidationError(f"预置方案 {name}：未知的规则 {key}。")
        if key in seen:
            raise ValidationError(f"预置方案 {name}：规则“{registry[key].label}”重复。")
        seen.add(key)
        label = registry[key].label
        try:
            value = registry[key].validate(r.get("value"))
        except ValueError as exc:
            raise ValidationError(f"预置方案 {name}：{label}：{exc}") from None
        strength = r.get("strength", "must")
        if strength not in STRENGTHS:
            raise ValidationError(f"预置方案 {name}：{label}：约束强度不是可选的值。")
        code = r.get("condition_code", "")
        if code and code not in vocabulary("conditions"):
            raise ValidationError(f"预置方案 {name}：{label}：适用条件不是可选的值。")
        clause = r.get("clause", "")
        if not clause.startswith(f"[{data['seed']} ") or cite(clause) == clause:
            raise ValidationError(f"预置方案 {name}：{label}：条款“{clause}”不是该文件的条款。")
        for field, limit in (("quote", 300), ("note", 300), ("condition", 200)):
            if len(r.get(field, "")) > limit:
                raise ValidationError(f"预置方案 {name}：{label}：{field} 超过 {limit} 字。")
        out.append(
            {
                "key": key,
                "value": value,
                "strength": strength,
                "condition": r.get("condition", ""),
                "condition_code": code,
                "clause": clause,
                "quote": r.get("quote", ""),
                "note": r.get("note", ""),
            }
        )
    return out


@transaction.atomic
def load_preset(path: Path) -> PolicyPreset:
    """Load one preset file as a template; idempotent. It becomes nobody's policy until a bureau adopts it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    checked = validate_preset(data, path.name)
    preset, _ = PolicyPreset.objects.update_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "issuer": data.get("issuer", ""),
            "year": data.get("year"),
            "seed": data["seed"],
            "division_code": data.get("division", ""),
            "binding": bool(data.get("binding", False)),
            "scope_note": data.get("scope_note", "")[:300],
            "rules": checked,
        },
    )
    return preset


def load_presets() -> list[PolicyPreset]:
    return [load_preset(p) for p in preset_files()]


@declare("policies.adopt", label="采用预置方案", model=Policy, verb=Action.ADD, detail=False)
@transaction.atomic
def preset_adopt(*, acting_user: User, preset: PolicyPreset, division: Division) -> Policy:
    """A bureau adopts a preset for its own division: every value is copied with its strength, condition and
    clause into the division's own policy (audited rule by rule); the bureau then overrides what differs.

    ``acting_user=None`` is the system itself (the demo loader adopting each document for the division that
    issued it); pages and the API always pass the logged-in user.
    """
    if acting_user is not None:
        _check(acting_user, division.code)
    policy = Policy.objects.select_for_update().filter(division=division).first()
    created = policy is None
    if policy is None:
        policy = Policy(division=division)
    before = audit.snapshot(policy, ["name", "issuer", "year", "seed", "preset"]) if not created else {}
    if preset.binding and preset.division_code == division.code:
        policy.name, policy.issuer, policy.year = preset.name, preset.issuer, preset.year
    elif created:
        policy.name = f"{division.name}社工站政策方案"
        policy.issuer = str(getattr(acting_user, "organisation", "") or "")
    policy.seed, policy.preset = preset.seed, preset.code
    policy.full_clean()
    policy.save()
    changes = audit.diff(before, audit.snapshot(policy, ["name", "issuer", "year", "seed", "preset"]))
    audit.record(
        acting_user=acting_user,
        event="create" if created else "update",  # the adoption itself: which preset, on which policy
        obj=policy,
        object_repr=f"{division.name} 采用《{preset.name}》",
        division_code=division.code,
        changes=changes,
        username="" if acting_user is not None else "system",
    )
    for r in preset.rules:
        _rule_write(
            acting_user=acting_user,
            policy=policy,
            key=r["key"],
            fields={
                "value": r["value"],
                "strength": r["strength"],
                "condition": r["condition"],
                "condition_code": r["condition_code"],
                "not_applicable": False,
                "clause": r["clause"],
                "quote": r["quote"],
                "note": r["note"],
            },
        )
    return policy


def adopt_own_documents() -> list[Policy]:
    """Demo and benchmark: each document that is its own division's law, adopted there (if imported).

    The Nantong preset is not: its issuer is an unnamed county-level city, so no division inherits it.
    """
    out = []
    for preset in PolicyPreset.objects.filter(binding=True).order_by("code"):
        division = Division.objects.filter(code=preset.division_code).first()
        if division is not None:
            # The platform itself adopts here (demo and benchmark set-up, no person acting): the declared
            # action's role guard is for people, so the loader calls the function beneath it.
            policy = preset_adopt.__wrapped__(acting_user=None, preset=preset, division=division)  # type: ignore[attr-defined]
            PolicyRule.objects.filter(policy=policy).exclude(key__in=[r["key"] for r in preset.rules]).delete()
            out.append(policy)
    return out
