"""API tokens with the same limits as browser sessions (SECURITY.md): they end after 30 minutes
without use and 12 hours after they were issued, and a password change revokes them."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def _last_use_key(token_key: str) -> str:
    return "zhanwu:token-used:" + hashlib.sha256(token_key.encode()).hexdigest()


def touch(token_key: str, when: float | None = None) -> None:
    cache.set(_last_use_key(token_key), when or timezone.now().timestamp(), timeout=settings.SESSION_ABSOLUTE_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        now = timezone.now()
        if now - token.created > dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS):
            token.delete()
            raise AuthenticationFailed("令牌已超过 12 小时有效期，请重新获取。")
        last = cache.get(_last_use_key(key))
        if last is None or now.timestamp() - float(last) > settings.SESSION_COOKIE_AGE:
            token.delete()
            raise AuthenticationFailed("令牌已因 30 分钟未使用而失效，请重新获取。")
        touch(key, now.timestamp())
        return user, token
