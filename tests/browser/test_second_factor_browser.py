"""A county bureau sets up its second factor in a real browser (Playwright driving Debian's Chromium, phone
size), and the pages' behaviour works under the Content-Security-Policy, which allows no inline script."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from home.demo import DEMO_PASSWORD, load_demo
from stations.models import Station

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def phone():  # type: ignore[no-untyped-def]
    """A phone-sized page and the console messages it logs (CSP violations are logged there)."""
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
        page = browser.new_page(viewport={"width": 390, "height": 844})
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{page.url}: {message.text}"))
        try:
            yield page, console
        finally:
            browser.close()
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.django_db(transaction=True)
def test_bureau_sets_up_its_second_factor_and_pages_work_under_the_csp(live_server, phone, settings: Any) -> None:  # type: ignore[no-untyped-def]
    settings.REQUIRE_SECOND_FACTOR = True
    load_demo()
    # A transactional test may start from a flushed database: make sure the calendar years are there.
    call_command("load_calendar", verbosity=0)
    page, console = phone
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("datian_bureau")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/second-factor/setup/**")
    assert page.locator(".otp-qr svg").is_visible()

    device = TOTPDevice.objects.get(user__username="datian_bureau", confirmed=False)
    page.get_by_label("验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="确认并启用").click()
    page.wait_for_url(f"{live_server.url}/second-factor/recovery-codes/**")
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{live_server.url}/")

    # static/js/app.js runs: the calendar's year select submits its form when changed ...
    page.goto(f"{live_server.url}/calendar/?year=2026")
    page.select_option("#year-select", "2025")
    page.wait_for_url(f"{live_server.url}/calendar/?year=2025")
    # ... and the button that restores a station's standard name.
    station = Station.objects.filter(division__code__startswith="350425").order_by("pk").first()
    assert station is not None
    page.goto(f"{live_server.url}/stations/{station.pk}/edit/")
    button = page.locator("[data-fill-target]")
    field = page.locator(f"#{button.get_attribute('data-fill-target')}")
    field.fill("临时名称")
    button.click()
    assert field.input_value() == button.get_attribute("data-fill-value")

    # The Swagger UI starts from its script file.
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info").wait_for()

    violations = [line for line in console if "Content Security Policy" in line]
    assert not violations, violations
