"""Fixtures of the hardening tests: API clients with a real token, staff clients for the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api.auth import touch
from accounts.models import User


@pytest.fixture
def api(demo: None):  # type: ignore[no-untyped-def]
    """``api("junxi_town")`` → an APIClient with ``Authorization: Token …``; ``api()`` → anonymous."""

    def make(username: str | None = None) -> APIClient:
        client = APIClient()
        if username:
            token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
            touch(token.key)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def staff_client(demo: None):  # type: ignore[no-untyped-def]
    """``staff_client("datian_bureau", "view_station", …)`` → an admin client for a staff account with those perms."""

    def make(username: str, *codenames: str) -> Client:
        user = User.objects.get(username=username)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        client = Client()
        client.force_login(user)
        return client

    return make
