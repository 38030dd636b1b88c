"""The TOTP second factor for administrators and bureau accounts (SECURITY.md; accounts/second_factor.py)."""

from __future__ import annotations

import base64
import re
import time
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import User
from core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_on(settings: Any, demo: None) -> None:
    settings.REQUIRE_SECOND_FACTOR = True


def _login(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _code(device: TOTPDevice) -> str:
    """The authenticator's code now, or for the next time step when this one is already spent
    (django-otp accepts each step once and tolerates one step of clock difference)."""
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    drift = max(0, device.last_t + 1 - now_t)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _enrol(username: str) -> tuple[TOTPDevice, list[str]]:
    """An account whose authenticator and recovery codes are already set up."""
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    codes = second_factor.new_recovery_codes(acting_user=user, ip=None)
    return device, codes


def test_a_bureau_cannot_reach_a_data_page_without_its_second_factor(password: str) -> None:
    client = _login("datian_bureau", password)
    response = client.get("/stations/")
    assert response.status_code == 302
    assert response["Location"] == "/second-factor/setup/?next=" + quote("/stations/", safe="")
    # The browser session cannot go round it through the API either.
    api = client.get("/api/v1/stations/")
    assert api.status_code == 403 and "第二因素" in api.json()["detail"]
    assert client.get("/api/docs/").status_code == 302
    # Once set up, the password alone leads to the verify page, not the data.
    _enrol("datian_bureau")
    response = _login("datian_bureau", password).get("/stations/")
    assert response.status_code == 302 and response["Location"].startswith("/second-factor/verify/?next=")


def test_setup_flow_end_to_end(password: str, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code below, then the right one at once
    client = _login("datian_bureau", password)
    page = client.get("/second-factor/setup/?next=/stations/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "<script" not in body.split("<main", 1)[1].split("</main>", 1)[0]
    device = TOTPDevice.objects.get(user__username="datian_bureau")
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body

    # A wrong code is explained next to the field and audited; nothing is enabled.
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/second-factor/setup/", {"code": wrong, "next": "/stations/"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditLog.objects.filter(event="login_failed", username="datian_bureau", success=False).exists()
    assert client.get("/stations/").status_code == 302

    first = _code(device)
    response = client.post("/second-factor/setup/", {"code": first, "next": "/stations/"})
    assert response.status_code == 302
    assert response["Location"] == "/second-factor/recovery-codes/?next=" + quote("/stations/", safe="")
    device.refresh_from_db()
    assert device.confirmed
    assert AuditLog.objects.filter(event="create", object_type="otp_totp.TOTPDevice", username="datian_bureau").exists()
    assert AuditLog.objects.filter(event="create", object_type="otp_static.StaticDevice").exists()

    # The recovery codes are shown once.
    shown = client.get(response["Location"]).content.decode()
    tokens = set(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True))
    assert len(tokens) == 10
    assert all(token in shown for token in tokens)
    again = client.get("/second-factor/recovery-codes/").content.decode()
    assert not any(token in again for token in tokens)

    # This session is verified: the data page opens.
    assert client.get("/stations/").status_code == 200

    # A new login asks for the next code (the one used at setup is spent) and then lets the user in.
    client.post("/logout/")
    client = _login("datian_bureau", password)
    assert client.get("/stations/").status_code == 302
    reused = client.post("/second-factor/verify/", {"code": first, "next": "/stations/"})
    assert reused.status_code == 200, "a TOTP code is accepted once only"
    response = client.post("/second-factor/verify/", {"code": _code(device), "next": "/stations/"})
    assert response.status_code == 302 and response["Location"] == "/stations/"
    assert client.get("/stations/").status_code == 200


def test_recovery_code_works_once(password: str) -> None:
    _, codes = _enrol("fj_province")
    client = _login("fj_province", password)
    response = client.post("/second-factor/verify/", {"code": codes[0].upper(), "next": "/stations/"})
    assert response.status_code == 302 and response["Location"] == "/stations/"
    assert client.get("/stations/").status_code == 200
    used = AuditLog.objects.filter(event="login", object_type="otp_static.StaticDevice", username="fj_province")
    assert used.count() == 1
    assert used.get().changes == {"recovery_codes_left": {"before": 10, "after": 9}}

    client.post("/logout/")
    client = _login("fj_province", password)
    again = client.post("/second-factor/verify/", {"code": codes[0], "next": "/stations/"})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()
    assert client.get("/stations/").status_code == 302
    assert StaticToken.objects.filter(device__user__username="fj_province").count() == 9
    assert AuditLog.objects.filter(event="login_failed", username="fj_province", success=False).exists()


def test_failures_are_throttled(password: str) -> None:
    device, _ = _enrol("datian_bureau")
    client = _login("datian_bureau", password)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    client.post("/second-factor/verify/", {"code": wrong})
    # Right after a failure even the right code waits (django-otp doubles the wait with each failure).
    response = client.post("/second-factor/verify/", {"code": _code(device)})
    assert response.status_code == 200 and "稍等" in response.content.decode()
    assert client.get("/stations/").status_code == 302


def test_password_alone_cannot_replace_the_authenticator(password: str) -> None:
    device, _ = _enrol("datian_bureau")
    client = _login("datian_bureau", password)
    response = client.get("/second-factor/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/second-factor/verify/")
    assert list(TOTPDevice.objects.filter(user__username="datian_bureau")) == [device]
    assert client.post("/second-factor/recovery-codes/").status_code == 302
    assert StaticDevice.objects.get(user__username="datian_bureau").token_set.count() == 10


@pytest.mark.parametrize("username", ["junxi_town", "agency_sunshine", "evaluator"])
def test_township_agency_and_evaluator_accounts_are_not_asked(username: str, password: str) -> None:
    client = _login(username, password)
    assert client.get("/stations/").status_code == 200
    assert client.get("/api/v1/stations/").status_code == 200


def test_the_admin_is_enforced(password: str) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": password, "next": "/admin/"})
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/second-factor/setup/")
    assert client.get("/admin/accounts/user/").status_code == 302
    # The admin's own logout is not held back.
    other = Client()
    other.post("/admin/login/?next=/admin/", {"username": "admin", "password": password, "next": "/admin/"})
    response = other.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in other.session
    device, _ = _enrol("admin")
    client.post("/second-factor/verify/", {"code": _code(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_token_endpoint_requires_otp_for_a_bureau(password: str) -> None:
    # From a browser whose session has only the password (the Swagger UI page): the endpoint asks itself.
    client = _login("datian_bureau", password)
    url = "/api/v1/auth/token/"
    not_set_up = client.post(url, {"username": "datian_bureau", "password": password}, content_type="application/json")
    assert not_set_up.status_code == 400 and "设置" in not_set_up.json()["otp"][0]
    device, codes = _enrol("datian_bureau")
    missing = client.post(url, {"username": "datian_bureau", "password": password}, content_type="application/json")
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    bad = client.post(
        url, {"username": "datian_bureau", "password": password, "otp": wrong}, content_type="application/json"
    )
    assert bad.status_code == 400 and "otp" in bad.json()
    assert AuditLog.objects.filter(event="login_failed", username="datian_bureau", success=False).exists()
    good = client.post(
        url, {"username": "datian_bureau", "password": password, "otp": codes[3]}, content_type="application/json"
    )
    assert good.status_code == 200 and set(good.json()) == {"token"}
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    assert me.status_code == 200 and me.json()["username"] == "datian_bureau"
    # A made-up token does not fall back to the unverified session.
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token made-up").status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer made-up").status_code == 403
    # A wrong password is still the same answer as before: no hint whether an otp would be needed.
    refused = client.post(
        url, {"username": "datian_bureau", "password": "wrong-Pass1"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "otp" not in refused.json()


def test_token_endpoint_does_not_ask_a_township(password: str) -> None:
    response = Client().post(
        "/api/v1/auth/token/", {"username": "junxi_town", "password": password}, content_type="application/json"
    )
    assert response.status_code == 200 and set(response.json()) == {"token"}


def test_switched_off_nobody_is_asked(password: str, settings: Any) -> None:
    settings.REQUIRE_SECOND_FACTOR = False
    assert _login("datian_bureau", password).get("/stations/").status_code == 200
    response = Client().post(
        "/api/v1/auth/token/", {"username": "datian_bureau", "password": password}, content_type="application/json"
    )
    assert response.status_code == 200


def test_check_deploy_warns_while_it_is_off(settings: Any, capsys: Any) -> None:
    from django.core.management.base import SystemCheckError

    from accounts.checks import second_factor_enforced

    assert second_factor_enforced() == []
    settings.REQUIRE_SECOND_FACTOR = False
    assert [w.id for w in second_factor_enforced()] == ["accounts.W001"]
    with pytest.raises(SystemCheckError, match="accounts.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", tags=["security"])


def test_pages_are_chinese_and_phone_friendly(password: str) -> None:
    client = _login("datian_bureau", password)
    body = client.get("/second-factor/setup/").content.decode()
    assert 'lang="zh-hans"' in body and 'name="viewport"' in body
    assert re.search(r'autocomplete="one-time-code"', body)
    assert "设置第二因素" in body


def test_the_system_administrator_removes_a_lost_authenticator_in_the_admin(password: str, settings: Any) -> None:
    settings.REQUIRE_SECOND_FACTOR = False  # this test is about the admin page, not the login
    device, _ = _enrol("datian_bureau")
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    page = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200 and device.key not in page.content.decode()
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    removal = AuditLog.objects.get(event="delete", object_type="otp_totp.TOTPDevice", object_id=str(device.pk))
    assert removal.username == "admin"
    # Nobody else sees the devices.
    staff = User.objects.get(username="datian_bureau")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    bureau = Client()
    bureau.force_login(staff)
    assert bureau.get("/admin/otp_totp/totpdevice/").status_code == 403
    assert "otp_totp" not in bureau.get("/admin/").content.decode()
