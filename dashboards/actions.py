"""Writes of the dashboards app: creating and revoking read-only service accounts of the indicator API. Keyword-only,
atomic, validated, audited, re-checked against the acting bureau's scope inside the transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import organisation_of
from core import audit
from core.access import access
from core.actions import check_state, declare
from core.scoping import Action
from stations.models import Division

from .keys import new_key
from .models import ServiceAccount

audit.register_event("svc_key_create", "创建数据接口服务账号")
audit.register_event("svc_key_revoke", "吊销数据接口服务账号")


@declare(
    "dashboards.service_account_create",
    label="创建数据接口服务账号",
    model=ServiceAccount,
    verb=Action.ADD,
    detail=False,
)
@transaction.atomic
def service_account_create(
    *, acting_user: User, name: str, division: Division, expires_on: dt.date
) -> tuple[ServiceAccount, str]:
    """A read-only account over ``division``'s subtree (inside the bureau's own) whose key ends on ``expires_on``
    (at the end of that day, at most SERVICE_KEY_MAX_DAYS ahead). Returns the account and its key, shown once."""
    bureau = organisation_of(acting_user)
    today = timezone.localdate()
    if len(division.code) not in (2, 4, 6, 9):
        raise ValidationError({"division": "数据范围应为省、市、县或乡镇（街道）。"})
    if expires_on <= today:
        raise ValidationError({"expires_on": "有效期应晚于今天。"})
    if expires_on > today + dt.timedelta(days=settings.SERVICE_KEY_MAX_DAYS):
        raise ValidationError({"expires_on": f"有效期最长 {settings.SERVICE_KEY_MAX_DAYS} 天，请到期后重新创建。"})
    key, prefix, key_digest = new_key()
    end = timezone.make_aware(dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min))
    account = ServiceAccount(
        name=(name or "").strip(),
        bureau=bureau,
        division=division,
        key_prefix=prefix,
        key_digest=key_digest,
        expires_at=end,
        created_by=acting_user,
    )
    account.full_clean()
    account.save()
    # Only inside the bureau's own subtree (out of scope: 404 and nothing saved).
    if not ServiceAccount.objects.for_user(acting_user, Action.ADD).filter(pk=account.pk).exists():
        raise Http404("不存在或不在您的权限范围内。")
    audit.record(
        acting_user=acting_user,
        event="svc_key_create",
        obj=account,
        division_code=division.code,
        changes=audit.diff({}, audit.snapshot(account, ["name", "division_id", "key_prefix", "expires_at"])),
    )
    return account, key


@declare(
    "dashboards.service_account_revoke",
    label="吊销数据接口服务账号",
    model=ServiceAccount,
    verb="revoke",
    state_field="status",
    states=[ServiceAccount.Status.ACTIVE],
)
@transaction.atomic
def service_account_revoke(*, acting_user: User, account: ServiceAccount) -> ServiceAccount:
    account = access(
        ServiceAccount, acting_user, account.pk, "revoke", queryset=ServiceAccount.objects.select_for_update()
    )
    check_state("dashboards.service_account_revoke", account)
    if not account.revocable_by(acting_user):
        raise PermissionDenied("该服务账号由上级民政部门创建，只能由创建单位或其上级民政部门吊销。")
    account.status = ServiceAccount.Status.REVOKED
    account.revoked_by = acting_user
    account.revoked_at = timezone.now()
    account.save(update_fields=["status", "revoked_by", "revoked_at"])
    audit.record(
        acting_user=acting_user,
        event="svc_key_revoke",
        obj=account,
        division_code=account.division_id,
        changes={"status": {"before": ServiceAccount.Status.ACTIVE, "after": ServiceAccount.Status.REVOKED}},
    )
    return account
