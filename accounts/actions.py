"""Writes to accounts that a bureau's manager makes for its own organisation (issue 13 item 10b).

Accounts of every other organisation are managed by the system administrator in the Django admin.
Each action is keyword-only, atomic, validated and leaves one audit row with the organisation's division.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import audit
from core.actions import declare
from core.scoping import BUREAU_ROLES

from .models import User

MANAGED_FIELDS = ["username", "full_name", "phone", "position", "is_active"]
# Positions a bureau gives its own staff (resident social workers and evaluators belong to other organisations).
BUREAU_POSITIONS = [User.Position.OFFICER, User.Position.MANAGER]


def can_manage_org_users(user: User) -> bool:
    """A bureau account with the manager position manages its own organisation's accounts."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.organisation_id is not None
        and user.position == User.Position.MANAGER
        and user.role in BUREAU_ROLES
    )


def org_users(acting_user: User) -> Any:
    """The accounts a manager may see and manage: its own organisation's, nothing else."""
    organisation_id = acting_user.organisation_id
    if not can_manage_org_users(acting_user) or organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=organisation_id, is_superuser=False)


def _check(acting_user: User, target: User | None = None) -> None:
    if not can_manage_org_users(acting_user):
        raise PermissionDenied("只有本单位负责人可以管理本单位账号。")
    if target is not None and not org_users(acting_user).filter(pk=target.pk).exists():
        raise PermissionDenied("只能管理本单位的账号。")


def _record(acting_user: User, event: str, user: User, changes: dict[str, Any]) -> None:
    audit.record(
        acting_user=acting_user,
        event=event,
        obj=user,
        division_code=acting_user.organisation.division_id if acting_user.organisation else "",
        changes=changes,
    )


# Declared for the bureaus; the manager position and the own-organisation rule are checked inside (_check).
@declare("accounts.user_create", label="开设本单位账号", model=User, verb="add", roles=BUREAU_ROLES, detail=False)
@transaction.atomic
def org_user_create(
    *,
    acting_user: User,
    organisation: Any,
    username: str,
    full_name: str,
    phone: str,
    position: str,
    password: str,
) -> User:
    _check(acting_user)
    if organisation is None or organisation.pk != acting_user.organisation_id:
        raise PermissionDenied("只能为本单位开设账号。")
    if position not in BUREAU_POSITIONS:
        raise ValidationError({"position": "本单位账号的岗位只能是工作人员或负责人。"})
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        phone=phone.strip(),
        position=position,
        organisation=acting_user.organisation,
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.password_changed_at = None  # the new colleague is asked to choose a password of their own
    user.full_clean()
    user.save()
    _record(
        acting_user,
        "create",
        user,
        audit.diff({}, {**audit.snapshot(user, MANAGED_FIELDS), "password": "******"}),
    )
    return user


@declare("accounts.user_set_active", label="停用或启用本单位账号", model=User, verb="change", roles=BUREAU_ROLES)
@transaction.atomic
def org_user_set_active(*, acting_user: User, user: User, active: bool) -> User:
    _check(acting_user, user)
    if user.pk == acting_user.pk and not active:
        raise ValidationError("不能停用您自己的账号。")
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.is_active == active:
        return current
    current.is_active = active
    current.save(update_fields=["is_active"])
    _record(acting_user, "update", current, {"is_active": {"before": not active, "after": active}})
    return current


@declare("accounts.user_reset_password", label="重置本单位账号密码", model=User, verb="change", roles=BUREAU_ROLES)
@transaction.atomic
def org_user_reset_password(*, acting_user: User, user: User, password: str) -> User:
    """Set a temporary password; the user is asked to change it at the next login and API tokens end."""
    _check(acting_user, user)
    current = User.objects.select_for_update().get(pk=user.pk)
    try:
        password_validation.validate_password(password, current)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    current.set_password(password)
    current.password_changed_at = None
    current.save(update_fields=["password", "password_changed_at"])
    _record(acting_user, "update", current, {"password": {"before": "******", "after": "****** (负责人重置)"}})
    return current
