"""API tokens end with the web session: a web login or logout revokes them, and POST /api/v1/auth/logout/
revokes the caller's token (README, security section)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditLog

pytestmark = pytest.mark.django_db


def token_for(password: str, username: str = "junxi_town") -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code


def test_a_web_login_revokes_the_api_token(demo: None, password: str) -> None:
    token = token_for(password)
    assert api_status(token) == 200
    web = Client()
    assert web.post("/login/", {"username": "junxi_town", "password": password}).status_code == 302
    assert api_status(token) == 401
    assert not Token.objects.filter(key=token).exists()


def test_a_web_logout_revokes_the_api_token(demo: None, password: str) -> None:
    web = Client()
    web.post("/login/", {"username": "junxi_town", "password": password})
    token = token_for(password)  # issued after the web login
    assert api_status(token) == 200
    assert web.post("/logout/").status_code == 302
    assert api_status(token) == 401


def test_api_logout_revokes_the_callers_token_and_is_audited(demo: None, password: str) -> None:
    token = token_for(password)
    other = token_for(password, "shipai_town")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert api_status(token) == 401
    assert api_status(other) == 200  # only the caller's token
    assert AuditLog.objects.filter(event="logout", username="junxi_town", object_repr__contains="API").exists()
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


@pytest.mark.parametrize(
    ("age", "idle", "refused"),
    [
        (dt.timedelta(hours=12), dt.timedelta(0), None),  # the 12th hour itself still counts
        (dt.timedelta(hours=12, microseconds=1), dt.timedelta(0), "12 小时"),
        (dt.timedelta(hours=1), dt.timedelta(minutes=30), None),  # thirty idle minutes exactly: still valid
        (dt.timedelta(hours=1), dt.timedelta(minutes=30, seconds=1), "30 分钟"),
    ],
)
def test_token_limits_at_the_boundary(
    demo: None, monkeypatch: pytest.MonkeyPatch, age: dt.timedelta, idle: dt.timedelta, refused: str | None
) -> None:
    """The limits of SECURITY.md (12 hours from issue, 30 minutes without use), at the instant and just past."""
    from django.utils import timezone
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.api import auth
    from accounts.models import User

    now = timezone.now().replace(microsecond=0)
    token = Token.objects.create(user=User.objects.get(username="junxi_town"))
    Token.objects.filter(pk=token.pk).update(created=now - age)
    auth.touch(token.key, (now - idle).timestamp())
    monkeypatch.setattr(auth.timezone, "now", lambda: now)
    if refused is None:
        user, _ = auth.ExpiringTokenAuthentication().authenticate_credentials(token.key)
        assert user.username == "junxi_town"
        assert Token.objects.filter(pk=token.pk).exists()
    else:
        with pytest.raises(AuthenticationFailed, match=refused):
            auth.ExpiringTokenAuthentication().authenticate_credentials(token.key)
        assert not Token.objects.filter(pk=token.pk).exists()  # a token past its limit is gone
