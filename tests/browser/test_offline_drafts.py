"""Offline drafts in a real browser (Playwright driving Debian's Chromium): a visit typed and sent without a
connection is kept in the phone and saved once when the connection is back; the draft is deleted only when the
server confirms the save; a queued form refused for an expired session is kept and the person is told."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from home.demo import DEMO_PASSWORD, load_demo
from services.models import Beneficiary, Visit

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
OUTBOX_EMPTY = "() => JSON.parse(localStorage.getItem('zhanwu-outbox') || '[]').length === 0"


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    playwright = (
        pytest.importorskip("playwright.sync_api")
        if not os.environ.get("CI")
        else __import__("playwright.sync_api", fromlist=["sync_playwright"])
    )
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        page = context.new_page()
        try:
            yield page
        finally:
            browser.close()
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _login(page: Any, base: str, username: str = "agency_sunshine") -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def _person() -> Beneficiary:
    from tests.services.write_cases import person

    return person()


def _visits(who: Beneficiary) -> int:
    return Visit.objects.filter(beneficiary=who).count()


@pytest.mark.django_db(transaction=True)
def test_a_visit_sent_offline_is_saved_once_when_back_online(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    who = _person()
    page = browser_page
    _login(page, live_server.url)
    form_url = f"{live_server.url}/services/beneficiaries/{who.public_id}/visit/"
    page.goto(form_url)
    page.get_by_label("情况说明").fill("断网时登记的探访")
    page.context.set_offline(True)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("当前没有网络：已保存在本机").wait_for()
    assert _visits(who) == 0
    sent = page.evaluate("localStorage.getItem('zhanwu-outbox')")
    assert "断网时登记的探访" in sent
    page.context.set_offline(False)  # the "online" event posts the queued form
    page.wait_for_function(OUTBOX_EMPTY)
    page.get_by_text("已联网，本机保存的记录已提交").wait_for()
    assert _visits(who) == 1
    assert Visit.objects.get(beneficiary=who).record.notes == "断网时登记的探访"
    # The draft went with the confirmed save …
    assert page.evaluate(f"localStorage.getItem('zhanwu-draft:visit-{who.public_id}')") is None
    # … and the same draft sent once more (another tab, a retry) is saved once: the hidden client_key.
    page.evaluate("(queued) => localStorage.setItem('zhanwu-outbox', queued)", sent)
    page.goto(f"{live_server.url}/services/")
    page.wait_for_function(OUTBOX_EMPTY)
    assert _visits(who) == 1


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_while_online_keeps_the_draft(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    who = _person()
    page = browser_page
    _login(page, live_server.url)
    form_url = f"{live_server.url}/services/beneficiaries/{who.public_id}/visit/"
    page.goto(form_url)
    page.get_by_label("情况说明").fill("信号不好时登记")

    # The browser believes it is online, but the post never reaches the server.
    def drop(route: Any) -> None:
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/visit/", drop)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("网络中断：已保存在本机").wait_for()
    assert _visits(who) == 0
    assert page.evaluate(f"localStorage.getItem('zhanwu-draft:visit-{who.public_id}')") is not None
    page.unroute("**/visit/", drop)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(OUTBOX_EMPTY)
    assert _visits(who) == 1


@pytest.mark.django_db(transaction=True)
def test_a_draft_survives_a_reload(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    who = _person()
    page = browser_page
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/services/beneficiaries/{who.public_id}/visit/")
    page.get_by_label("情况说明").fill("还没写完的情况")
    page.locator('label[for="id_check_diet_1"]').click()  # 饮食: 有问题
    page.reload()
    assert page.get_by_label("情况说明").input_value() == "还没写完的情况"
    assert page.locator("#id_check_diet_1").is_checked()
    page.get_by_text("已恢复上次未提交的内容").wait_for()
    assert _visits(who) == 0


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_keeps_the_draft_and_says_so(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    who = _person()
    page = browser_page
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/services/beneficiaries/{who.public_id}/visit/")
    page.get_by_label("情况说明").fill("登录过期前填写")
    page.context.set_offline(True)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("当前没有网络").wait_for()
    page.context.clear_cookies()  # the session ends while the phone is offline
    page.context.set_offline(False)
    # The queued form answered with the login page: kept, and the person is told.
    page.get_by_text("草稿未能提交：登录已过期").first.wait_for()
    assert _visits(who) == 0
    assert "登录过期前填写" in page.evaluate("localStorage.getItem('zhanwu-outbox')")
    # After logging in again it is sent, once.
    _login(page, live_server.url)
    page.wait_for_function(OUTBOX_EMPTY)
    assert _visits(who) == 1
    assert page.locator("[data-draft-banner]").is_hidden()


@pytest.mark.django_db(transaction=True)
def test_a_queued_form_the_server_refuses_is_kept_and_the_person_told(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    who = _person()
    page = browser_page
    _login(page, live_server.url)
    form_url = f"{live_server.url}/services/beneficiaries/{who.public_id}/visit/"
    page.goto(form_url)
    page.get_by_label("情况说明").fill("日期忘了填")
    page.get_by_label("探访日期").fill("")  # the server answers the form again (400): 探访日期 is required
    page.context.set_offline(True)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("当前没有网络").wait_for()
    page.context.set_offline(False)
    banner = page.locator("[data-draft-banner]")
    banner.get_by_text("草稿未能提交").wait_for()
    assert "请检查后重新提交" in banner.inner_text()
    assert _visits(who) == 0
    assert "日期忘了填" in page.evaluate("localStorage.getItem('zhanwu-outbox')")  # kept
    # The person opens the draft, completes it and sends it: saved once, and the banner goes.
    banner.get_by_role("link", name="打开草稿").click()
    page.wait_for_url(form_url)
    assert page.get_by_label("情况说明").input_value() == "日期忘了填"
    page.get_by_label("探访日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/services/")
    page.get_by_text(f"已保存对{who.name}的探访").wait_for()  # the saved page's message, shown after the fetch
    page.wait_for_function(OUTBOX_EMPTY)
    assert _visits(who) == 1
    assert page.locator("[data-draft-banner]").is_hidden()
