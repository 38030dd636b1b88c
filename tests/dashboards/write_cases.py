"""Write-matrix cases of the dashboards actions: creating and revoking read-only service accounts (collected by
tests/test_write_matrix.py; see tests/checks.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from accounts.models import User
from dashboards import actions as da
from dashboards.keys import new_key
from dashboards.models import ServiceAccount
from stations.models import Division
from tests.checks import Case

DATIAN = "350425"
OTHER_COUNTY = "350424"
_seq = itertools.count(1)


def _expires() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


def account(code: str = DATIAN, status: str = ServiceAccount.Status.ACTIVE) -> ServiceAccount:
    _, prefix, key_digest = new_key()
    bureau = User.objects.get(username="datian_bureau")
    return ServiceAccount.objects.create(
        name=f"矩阵服务账号{next(_seq)}",
        bureau=bureau.organisation,
        division_id=code,
        key_prefix=prefix,
        key_digest=key_digest,
        expires_at=timezone.now() + dt.timedelta(days=30),
        status=status,
        created_by=bureau,
    )


def _create(user: Any, division: Division) -> Any:
    return da.service_account_create(acting_user=user, name="矩阵看板系统", division=division, expires_on=_expires())


def cases() -> dict[str, Case]:
    return {
        "dashboards.service_account_create": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: Division.objects.get(pk=DATIAN),
            out_of_scope=lambda: Division.objects.get(pk=OTHER_COUNTY),
            call=_create,
            http=lambda client, d: client.post(
                "/dashboards/service-accounts/",
                {"name": "矩阵看板系统", "division": d.code, "expires_on": _expires().isoformat()},
            ),
            http_ok=(200,),
        ),
        "dashboards.service_account_revoke": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=account,
            out_of_scope=lambda: account(OTHER_COUNTY),
            call=lambda user, a: da.service_account_revoke(acting_user=user, account=a),
            http=lambda client, a: client.post(f"/dashboards/service-accounts/{a.pk}/revoke/"),
            http_ok=(302,),
            wrong_state=lambda: account(status=ServiceAccount.Status.REVOKED),
            wrong_state_call=lambda user, a: da.service_account_revoke(acting_user=user, account=a),
        ),
    }
