"""Changing one's own password, and the 90-day prompt for bureau and administrator accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_password_change_is_validated_in_chinese_and_audited(demo: None, password: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="shipai_town"))
    response = client.post(
        "/password/", {"old_password": password, "new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()

    new = "Bright#Lantern2027"
    response = client.post("/password/", {"old_password": password, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user = User.objects.get(username="shipai_town")
    assert user.check_password(new)
    assert user.password_changed_at is not None and timezone.now() - user.password_changed_at < dt.timedelta(minutes=1)
    assert AuditLog.objects.filter(object_type="accounts.User", object_id=str(user.pk), event="update").exists()
    assert client.get("/").status_code == 200  # the session survives the change


@pytest.mark.parametrize(("username", "prompted"), [("datian_bureau", True), ("junxi_town", False)])
def test_bureaus_are_prompted_after_90_days(user_client, username: str, prompted: bool) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(username=username).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    body = user_client(username).get("/").content.decode()
    assert ("超过 90 天未修改" in body) is prompted
    User.objects.filter(username=username).update(password_changed_at=timezone.now())
    assert "超过 90 天未修改" not in user_client(username).get("/").content.decode()
