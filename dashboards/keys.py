"""API keys of read-only service accounts (dashboards.models.ServiceAccount).

A key is ``zwk_<prefix>_<secret>``: the prefix names the account on the bureau's page, the whole key is shown once
when the account is created and only its SHA-256 digest is kept. A request sends ``Authorization: ApiKey <key>``;
only the two indicator endpoints accept it (their authentication classes), so the account can read nothing else.
An unknown, expired or revoked key answers 401.

The account reads through the one door: its principal carries a precomputed scope — the read scope of a bureau
(or township) over the account's division — so ``IndicatorValue.objects.for_user(principal)`` gives exactly that
subtree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from core.scoping import Role, UserScope

KEYWORD = "ApiKey"
ROLE_BY_DEPTH = {2: Role.PROVINCE_BUREAU, 4: Role.CITY_BUREAU, 6: Role.COUNTY_BUREAU, 9: Role.TOWNSHIP}
USE_RESOLUTION = dt.timedelta(minutes=5)  # last_used_at is written at most this often


def new_key() -> tuple[str, str, str]:
    """(key, prefix, digest) of a fresh key."""
    prefix = secrets.token_hex(4)
    key = f"zwk_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, digest(key)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ServicePrincipal:
    """Who a valid key authenticates: not a User; no organisation, no password, no session; a read scope only."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    is_anonymous = False
    organisation = None
    organisation_id = None

    def __init__(self, account: Any) -> None:
        self.account = account
        self.pk = f"service-{account.pk}"
        self.username = f"服务账号：{account.name}"
        code = account.division_id
        self._zhanwu_scope = UserScope(role=ROLE_BY_DEPTH.get(len(code), Role.NONE), roots=(code,))

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


class ServiceKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[ServicePrincipal, Any] | None:
        from .models import ServiceAccount

        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("接口密钥格式不正确：请求头应为 Authorization: ApiKey <密钥>。")
        key = parts[1].decode(errors="replace")
        account = ServiceAccount.objects.filter(key_digest=digest(key)).select_related("division", "bureau").first()
        if account is None:
            raise AuthenticationFailed("接口密钥无效。")
        now = timezone.now()
        if account.status != ServiceAccount.Status.ACTIVE:
            raise AuthenticationFailed("接口密钥已被吊销。")
        if not account.bureau.is_active_org:
            # A suspended or deregistered bureau's users are cut off (accounts.roles); so are its keys.
            raise AuthenticationFailed("创建该密钥的民政部门已停用，密钥随之失效。")
        if account.expires_at <= now:
            raise AuthenticationFailed("接口密钥已过期，请联系创建它的民政部门重新创建。")
        if account.last_used_at is None or now - account.last_used_at > USE_RESOLUTION:
            ServiceAccount.objects.filter(pk=account.pk).update(last_used_at=now)
        return ServicePrincipal(account), account

    def authenticate_header(self, request: Any) -> str:
        return f'{KEYWORD} realm="api"'
