"""A bureau manager manages its own organisation's accounts without the Django admin (issue 13 item 10b)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from core.models import AuditLog
from home.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NEW = {
    "username": "li_si",
    "full_name": "李四",
    "phone": "13812345678",
    "position": "officer",
    "password": "Temp#2026pass",
}


def _login(username: str, password: str) -> Client | None:
    """A client logged in through the login page (django-axes needs the request), or None when refused."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    return client if response.status_code == 302 else None


def test_manager_creates_an_account_that_can_log_in(user_client) -> None:  # type: ignore[no-untyped-def]
    manager = User.objects.get(username="datian_bureau")
    response = user_client("datian_bureau").post("/users/new/", NEW)
    assert response.status_code == 302
    user = User.objects.get(username="li_si")
    assert user.organisation_id == manager.organisation_id and user.password_changed_at is None
    row = AuditLog.objects.filter(event="create", object_type="accounts.User", object_id=str(user.pk)).get()
    assert row.username == "datian_bureau" and row.division_code == "350425"
    assert "Temp#2026pass" not in str(row.changes)
    client = _login("li_si", "Temp#2026pass")
    assert client is not None
    assert "临时密码" in client.get("/").content.decode()  # asked to choose a password of their own


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"username": "junxi_town"}, "这个用户名已被使用"),
        ({"password": "12345678"}, "密码不能全是数字"),
        ({"password": "li_si2026"}, "太相似"),
        ({"phone": "12345"}, "请输入 11 位手机号码"),
        ({"position": "evaluator"}, "选择一个有效的选项"),
        ({"full_name": ""}, "请填写此项"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(user_client, change: dict[str, str], field_error: str) -> None:  # type: ignore[no-untyped-def]
    before = User.objects.count()
    response = user_client("datian_bureau").post("/users/new/", {**NEW, **change})
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert User.objects.count() == before


def test_deactivate_and_reset_password(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    client.post("/users/new/", NEW)
    user = User.objects.get(username="li_si")
    assert client.post(f"/users/{user.pk}/", {"action": "deactivate"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert _login("li_si", "Temp#2026pass") is None
    assert client.post(f"/users/{user.pk}/", {"action": "activate"}).status_code == 302
    weak = client.post(f"/users/{user.pk}/", {"action": "reset", "password": "abc"})
    assert weak.status_code == 200 and "密码太短" in weak.content.decode()
    assert client.post(f"/users/{user.pk}/", {"action": "reset", "password": "New#Pass2026"}).status_code == 302
    assert _login("li_si", "New#Pass2026") is not None
    events = list(
        AuditLog.objects.filter(object_type="accounts.User", object_id=str(user.pk)).values_list("changes", flat=True)
    )
    assert any("is_active" in c for c in events) and any("password" in c for c in events)


def test_a_manager_cannot_deactivate_itself(user_client) -> None:  # type: ignore[no-untyped-def]
    me = User.objects.get(username="datian_bureau")
    client = user_client("datian_bureau")
    client.post(f"/users/{me.pk}/", {"action": "deactivate"})
    me.refresh_from_db()
    assert me.is_active


def test_other_organisations_accounts_are_404(user_client) -> None:  # type: ignore[no-untyped-def]
    other = User.objects.get(username="junxi_town")
    client = user_client("datian_bureau")
    assert client.get(f"/users/{other.pk}/").status_code == 404
    assert client.post(f"/users/{other.pk}/", {"action": "deactivate"}).status_code == 404
    assert client.post(f"/users/{other.pk}/", {"action": "reset", "password": "New#Pass2026"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active and other.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize(
    "username", ["admin", "fj_province", "shipai_town", "junxi_village", "agency_sunshine", "evaluator"]
)
def test_only_bureau_and_township_managers_reach_the_pages(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    assert client.get("/users/").status_code == 404
    assert client.post("/users/new/", NEW).status_code == 404
    assert not User.objects.filter(username="li_si").exists()


def test_an_officer_of_the_bureau_is_not_a_manager(user_client) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(username="datian_bureau").update(position=User.Position.OFFICER)
    assert user_client("datian_bureau").get("/users/").status_code == 404
