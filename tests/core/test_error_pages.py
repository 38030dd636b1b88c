"""Error pages answer in Chinese, in the site's layout, with DEBUG off (issue 13 item 3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from accounts.models import User
from config.urls import handler403, handler404, handler500  # noqa: F401  (this test URLconf uses the site's)
from config.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


def _forbidden(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied


def _api_boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


urlpatterns: list[Any] = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("api/v1/boom/", _api_boom),
]
urlpatterns += site_urls


def visible_text(html: str) -> str:
    """The text of <main>, without tags (where the page's message is)."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main.split(">", 1)[1])


def assert_chinese_page(html: str, *phrases: str) -> None:
    assert '<html lang="zh-hans">' in html
    assert 'href="/"' in html  # back home
    text = visible_text(html)
    for phrase in phrases:
        assert phrase in text
    assert not LATIN_WORD.findall(text), LATIN_WORD.findall(text)


@override_settings(DEBUG=False)
def test_404_is_chinese_and_explains_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    response = user_client("junxi_town").get("/stations/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_chinese_page(html, "没有找到您要的页面", "不在您的查看范围内")
    assert "返回首页" in html
    assert "站务" in html and 'class="navbar' in html  # the site's layout, with its navigation


@override_settings(DEBUG=False)
def test_404_for_anonymous_unknown_url(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_chinese_page(response.content.decode(), "没有找到您要的页面")


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_403_and_500_are_chinese(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    forbidden = client.get("/forbidden/")
    assert forbidden.status_code == 403
    assert_chinese_page(forbidden.content.decode(), "您没有权限进行此操作")
    client.raise_request_exception = False
    error = client.get("/boom/")
    assert error.status_code == 500
    assert_chinese_page(error.content.decode(), "系统暂时出错")


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_api_errors_are_chinese_json(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    client.raise_request_exception = False
    assert client.get("/api/v1/boom/").json() == {"detail": "服务器出错，请稍后再试。"}
    assert client.get("/api/v1/no-such-endpoint/").json() == {"detail": "未找到。"}
    assert client.get("/api/v1/stations/999999/").json() == {"detail": "未找到。"}
    other = client.get("/api/v1/divisions/469025/")  # another province: out of scope
    assert other.status_code == 404 and other.json() == {"detail": "未找到。"}
    assert Client().get("/api/v1/stations/").json() == {"detail": "身份认证信息未提供。"}
    denied = client.patch("/api/v1/stations/1/", {"name": "x"}, content_type="application/json")
    assert denied.status_code in (403, 404)
    assert not LATIN_WORD.findall(denied.json()["detail"])


@override_settings(DEBUG=False)
def test_csrf_failure_page_is_chinese() -> None:
    user = User.objects.get(username="datian_bureau")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/password/", {"old_password": "x"})
    assert response.status_code == 403
    assert_chinese_page(response.content.decode(), "表单已过期", "刷新页面后重新填写并提交")
