"""Shared fixtures: the Datian demo data is loaded once per test session into the test database."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from home.demo import DEMO_PASSWORD, load_demo


def _ensure_demo() -> None:
    if not User.objects.filter(username="admin").exists():
        load_demo()
    # People for the personal-data suite (the test-only app of config/settings_test.py).
    from tests.personal_app.fixtures import load_people

    load_people()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        _ensure_demo()


@pytest.fixture(autouse=True)
def _second_factor_off(settings: Any) -> None:
    """Tests that are not about the second factor run without it (REQUIRE_SECOND_FACTOR=0);
    tests/accounts/test_second_factor.py turns it back on."""
    settings.REQUIRE_SECOND_FACTOR = False


@pytest.fixture
def demo(db: None) -> None:
    """The demo data (re-loaded when a transactional test flushed it)."""
    _ensure_demo()


@pytest.fixture
def user_client(demo: None):  # type: ignore[no-untyped-def]
    """``user_client("junxi_town")`` → a logged-in test client."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD
