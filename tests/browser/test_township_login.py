"""A township officer logs in with a real browser (Playwright driving Debian's Chromium) and sees
only its own township's stations."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connections

from home.demo import DEMO_PASSWORD, load_demo
from stations.models import Station

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    playwright = (
        pytest.importorskip("playwright.sync_api")
        if not os.environ.get("CI")
        else __import__("playwright.sync_api", fromlist=["sync_playwright"])
    )
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    # Playwright's sync API runs an event loop in this thread; Django's ORM is only used between calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        try:
            yield page
        finally:
            browser.close()
            # Queries made while Playwright's loop runs open their own connection (asgiref context);
            # close it here so the test database can be dropped at the end of the session.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.django_db(transaction=True)
def test_township_officer_sees_only_its_station(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("junxi_town")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "均溪镇" in page.content()

    page.goto(f"{live_server.url}/stations/")
    body = page.locator("main").inner_text()
    own = list(Station.objects.filter(division__code__startswith="350425100").values_list("name", flat=True))
    others = list(Station.objects.exclude(division__code__startswith="350425100").values_list("name", flat=True))
    assert own and others
    for name in own:
        assert name in body
    for name in others:
        assert name not in body

    other = Station.objects.get(division_id="350425101", level=Station.Level.TOWNSHIP)  # 石牌镇
    response = page.goto(f"{live_server.url}/stations/{other.pk}/")
    assert response is not None and response.status == 404
