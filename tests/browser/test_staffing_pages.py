"""The staffing pages in a real browser at phone and desktop size, for the agency, the township and the bureau:
each answers, fits the screen, shows no English, no rule key and no internal citation (tests/browser/test_walk.py's
checks, on pages the walk's page budget may not reach)."""

from __future__ import annotations

import pytest

from home.demo import DEMO_PASSWORD, load_demo
from tests.browser.test_township_login import browser_page  # noqa: F401  (fixture)
from tests.browser.test_walk import SIZES, _problems

ACCOUNTS = ["agency_sunshine", "junxi_town", "datian_bureau"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", sorted(SIZES))
def test_staffing_pages_fit_and_speak_chinese(live_server, browser_page, size: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from staffing.models import SocialWorker

    load_demo()
    page = browser_page
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    failures: list[str] = []
    for username in ACCOUNTS:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        worker = SocialWorker.objects.filter(station__division__code="350425100").order_by("pk").first()
        assert worker is not None
        urls = [
            "/staffing/",
            "/staffing/screening/",
            "/staffing/adequacy/?division=350425100&villages=20",
            "/staffing/wages/",
            f"/staffing/workers/{worker.public_id}/",
            f"/staffing/stations/{worker.station_id}/team/",
        ]
        if username == "agency_sunshine":
            urls += ["/staffing/workers/new/", "/staffing/workers/import/", "/staffing/workers/export/"]
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            status = response.status if response is not None else 0
            if status >= 400:
                failures.append(f"{username} {size}: {url} answers {status}")
                continue
            failures += [f"{username} {size}: {url}: {p}" for p in _problems(page, width)]
        page.goto(f"{live_server.url}/staffing/screening/")
        page.get_by_label("出生日期").fill("1984-05-05")
        page.get_by_role("button", name="审查", exact=True).click()
        page.wait_for_load_state()
        failures += [f"{username} {size}: screening result: {p}" for p in _problems(page, width)]
    assert not failures, "\n".join(failures[:40])
