"""Writes to accounts that a bureau's or a township government's manager makes for its own organisation
(issue 13 item 10b); a township's manager also assigns a colleague to one of its villages (a village
civil-affairs worker, whose scope is that village: core.scoping Role.VILLAGE).

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
from core.scoping import BUREAU_ROLES, Role

from .models import Organisation, User

MANAGED_FIELDS = ["username", "full_name", "phone", "position", "is_active", "village"]
# Organisations whose manager manages its own accounts: bureaus and township governments.
MANAGER_ROLES = BUREAU_ROLES | {Role.TOWNSHIP}
# Positions a bureau gives its own staff (resident social workers and evaluators belong to other organisations).
BUREAU_POSITIONS = [User.Position.OFFICER, User.Position.MANAGER]


def can_manage_org_users(user: User) -> bool:
    """A bureau's or a township government's account with the manager position manages its own organisation's
    accounts (a village worker's role is Role.VILLAGE: it manages none)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.organisation_id is not None
        and user.position == User.Position.MANAGER
        and user.role in MANAGER_ROLES
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


def _check_village(organisation: Any, village: Any) -> None:
    """A village can be assigned only by a township government, and only one of its own villages."""
    if village is None:
        return
    if organisation is None or organisation.kind != Organisation.Kind.TOWNSHIP:
        raise ValidationError({"village": "只有乡镇人民政府的账号可以指定负责的村（社区）。"})
    if len(village.pk) != 12 or not village.pk.startswith(organisation.division_id):
        raise ValidationError({"village": "负责的村（社区）须是本乡镇（街道）下辖的村（社区）。"})


# Declared for bureaus and townships; the manager position and the own-organisation rule are checked inside
# (_check).
@declare("accounts.user_create", label="开设本单位账号", model=User, verb="add", roles=MANAGER_ROLES, detail=False)
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
    village: Any = None,
) -> User:
    _check(acting_user)
    if organisation is None or organisation.pk != acting_user.organisation_id:
        raise PermissionDenied("只能为本单位开设账号。")
    if position not in BUREAU_POSITIONS:
        raise ValidationError({"position": "本单位账号的岗位只能是工作人员或负责人。"})
    _check_village(acting_user.organisation, village)
    user = User(
        village=village,
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


@declare("accounts.user_set_active", label="停用或启用本单位账号", model=User, verb="change", roles=MANAGER_ROLES)
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


@declare("accounts.user_reset_password", label="重置本单位账号密码", model=User, verb="change", roles=MANAGER_ROLES)
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


@declare(
    "accounts.user_set_village",
    label="指定本单位账号负责的村（社区）",
    model=User,
    verb="change",
    roles=frozenset({Role.TOWNSHIP}),
)
@transaction.atomic
def org_user_set_village(*, acting_user: User, user: User, village: Any) -> User:
    """Assign a township government's colleague to one of its villages (None: the whole township again)."""
    _check(acting_user, user)
    if user.pk == acting_user.pk:
        raise ValidationError({"village": "不能为自己的账号指定负责的村（社区）。"})
    _check_village(acting_user.organisation, village)
    current = User.objects.select_for_update().get(pk=user.pk)
    before = current.village_id
    if before == (village.pk if village is not None else None):
        return current
    current.village = village
    current.full_clean()
    current.save(update_fields=["village"])
    _record(acting_user, "update", current, {"village": {"before": before, "after": current.village_id}})
    return current
