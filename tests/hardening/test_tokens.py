"""API tokens end with the web session: a web login or logout revokes them, and POST /api/v1/auth/logout/
revokes the caller's token (README, security section)."""

from __future__ import annotations

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
