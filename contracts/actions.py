"""Every write to contracts: keyword-only, atomic, validated, audited, re-checked against scope.

Minimal until the contracts issue grows the agreement's life cycle; the admin calls these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import audit
from core.actions import declare
from core.scoping import Action, scope_of
from stations.models import Division, Station

from .models import Contract

EDITABLE_FIELDS = [
    "number",
    "buyer_id",
    "division_id",
    "township_id",
    "agency_id",
    "procurement_method",
    "signed_date",
    "start_date",
    "end_date",
    "status",
]


def _recheck(user: Any, contract: Contract) -> None:
    if not Contract.objects.for_user(user, Action.CHANGE).filter(pk=contract.pk).exists():
        raise PermissionDenied("保存后的协议不在您的权限范围内。")


def _set_stations(user: Any, contract: Contract, stations: list[Station] | None, changes: dict[str, Any]) -> None:
    if stations is None:
        return
    visible = set(Station.objects.for_user(user).filter(pk__in=[s.pk for s in stations]).values_list("pk", flat=True))
    if any(s.pk not in visible for s in stations):
        raise PermissionDenied("服务站点不在您的权限范围内。")
    old = sorted(str(pk) for pk in contract.stations.values_list("pk", flat=True))
    new = sorted(str(s.pk) for s in stations)
    if old != new:
        contract.stations.set(stations)
        changes["stations"] = {"before": old, "after": new}


@declare("contracts.create", label="新建协议", model=Contract, verb=Action.ADD, detail=False)
@transaction.atomic
def contract_create(*, acting_user: Any, contract: Contract, stations: list[Station] | None = None) -> Contract:
    """Save a new (unsaved) contract built by a form."""
    if contract.pk is not None:
        raise PermissionDenied("协议已存在。")
    if not Division.objects.for_user(acting_user).filter(pk=contract.division_id).exists():
        raise PermissionDenied("项目落地区划不在您的权限范围内。")
    if not scope_of(acting_user).is_global and contract.buyer_id != acting_user.organisation_id:
        raise PermissionDenied("购买主体只能是您所在的民政部门。")
    contract.full_clean()
    contract.save()
    changes = audit.diff({}, audit.snapshot(contract, EDITABLE_FIELDS))
    _set_stations(acting_user, contract, stations, changes)
    _recheck(acting_user, contract)
    audit.record(
        acting_user=acting_user, event="create", obj=contract, division_code=contract.division_id, changes=changes
    )
    return contract


@declare("contracts.update", label="修改协议", model=Contract, verb=Action.CHANGE)
@transaction.atomic
def contract_update(
    *, acting_user: Any, contract: Contract, data: dict[str, Any], stations: list[Station] | None = None
) -> Contract:
    """Update fields of a contract in the caller's change scope (re-read under a row lock)."""
    current = Contract.objects.for_user(acting_user, Action.CHANGE).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该协议。")
    before = audit.snapshot(current, EDITABLE_FIELDS)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise PermissionDenied(f"不可修改的字段：{name}")
        setattr(current, name, value)
    current.full_clean()
    changes = audit.diff(before, audit.snapshot(current, EDITABLE_FIELDS))
    if changes:
        current.save(update_fields=[*{k.removesuffix("_id") for k in changes}, "updated_at"])
    _set_stations(acting_user, current, stations, changes)
    _recheck(acting_user, current)
    if changes:
        audit.record(
            acting_user=acting_user, event="update", obj=current, division_code=current.division_id, changes=changes
        )
    return current
