"""SECURITY.md baseline: password rules, lockout, idle and absolute session limits, audited writes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.middleware import SESSION_START_KEY
from core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pw", ["short1A", "password123", "alllowercaseletters", "12345678901"])
def test_weak_passwords_are_refused(pw: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(pw)


def test_strong_password_is_accepted() -> None:
    validate_password("Station#2026ok")


def test_five_failures_lock_the_account_and_are_logged(demo: None, password: str) -> None:
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "junxi_town", "password": "wrong-Password1"})
    assert AuditLog.objects.filter(event="login_failed", username="junxi_town").count() >= 5
    # Even the right password is refused now, with the Chinese lockout page.
    response = client.post("/login/", {"username": "junxi_town", "password": password})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_success_is_audited(demo: None, password: str) -> None:
    client = Client()
    response = client.post("/login/", {"username": "shipai_town", "password": password})
    assert response.status_code == 302
    assert AuditLog.objects.filter(event="login", username="shipai_town").exists()


def test_idle_session_ends_after_30_minutes(demo: None, password: str) -> None:
    """The clock moves; nothing stored is edited. Activity renews the session, 31 idle minutes end it."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client()
        client.post("/login/", {"username": "datian_bureau", "password": password})
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # 29 idle minutes: still in, and renewed
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # 58 minutes after login, 29 after the last request
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_absolute_session_limit_is_12_hours(demo: None, password: str) -> None:
    client = Client()
    client.post("/login/", {"username": "datian_bureau", "password": password})
    session = client.session
    session[SESSION_START_KEY] = (timezone.now() - dt.timedelta(hours=12, minutes=1)).timestamp()
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_pages_with_data_are_not_cached(user_client) -> None:  # type: ignore[no-untyped-def]
    response = user_client("datian_bureau").get("/stations/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_audit_rows_cannot_be_changed(demo: None) -> None:
    row = AuditLog.objects.create(event="login", username="x")
    row.username = "y"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_audit_table_refuses_update_in_the_database(demo: None) -> None:
    from django.db import DatabaseError

    AuditLog.objects.create(event="login", username="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.update(username="tampered")
    assert not AuditLog.objects.filter(username="tampered").exists()


def test_unknown_role_sees_nothing(demo: None) -> None:
    from stations.models import Division, Station

    lost = User.objects.create_user("nobody", password="Xx-12345678")
    assert not Station.objects.for_user(lost).exists()
    assert not Division.objects.for_user(lost).exists()
