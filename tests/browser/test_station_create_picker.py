"""The county clerk creates a village service point on a phone: starts from a township's page, finds the
village by typing part of its name (htmx), and the level follows the place (issue 13 item 5)."""

from __future__ import annotations

import pytest

from home.demo import DEMO_PASSWORD, load_demo
from stations.models import Division, Station
from tests.browser.test_township_login import browser_page  # noqa: F401  (the phone-sized Chromium page)


@pytest.mark.django_db(transaction=True)
def test_clerk_picks_a_village_by_name_on_a_phone(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_demo()
    village = Division.objects.filter(parent_id="350425103").exclude(stations__isnull=False).order_by("code").first()
    assert village is not None
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("datian_bureau")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/divisions/350425103/")
    page.get_by_role("link", name="在此新建站点").click()
    page.wait_for_url("**/stations/new/**")
    assert page.locator("#place-selected").is_checked()
    assert page.locator("#id_level").input_value() == "township"  # started from a township
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # Cancel goes back to the township's page.
    page.get_by_role("link", name="取消").click()
    page.wait_for_url(f"{live_server.url}/divisions/350425103/")
    page.go_back()
    page.wait_for_url("**/stations/new/**")

    page.get_by_label("按名称查找乡镇（街道）或村（社区）").fill(village.name)
    option = page.locator(f"#place-{village.code}")
    option.wait_for()
    option.check()
    assert page.locator("#id_level").input_value() == "village"  # the level follows the place
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="新建（规划中）").click()
    page.wait_for_url("**/edit/")
    station = Station.objects.get(division=village)
    assert station.level == Station.Level.VILLAGE and station.status == Station.Status.PLANNED
    assert page.url.endswith(f"/stations/{station.pk}/edit/")
