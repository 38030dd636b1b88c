"""The county clerk sets evaluation weights in the policy editor with a real browser: one field per party, the
sum shown while typing, a Chinese error when the parts do not make 100%, and the value saved in place (htmx)."""

from __future__ import annotations

import pytest

from home.demo import DEMO_PASSWORD, load_demo
from policies.models import PolicyRule

from .test_township_login import browser_page  # noqa: F401  (the shared Playwright fixture)


@pytest.mark.django_db(transaction=True)
def test_bureau_sets_weights_with_one_field_per_party(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_demo()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("datian_bureau")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/policies/edit/")
    card = page.locator("#r-evaluation-weights")
    card.locator("summary").click()
    card.get_by_label("第三方机构（%）").fill("50")
    card.get_by_label("县民政局（%）").fill("30")
    card.get_by_label("乡镇（%）").fill("10")
    assert card.locator(".weight-sum").inner_text() == "90%"
    card.get_by_label("依据文件及条款").fill("大田县民政局评估办法 第三条")
    card.get_by_role("button", name="保存本级规定").click()
    page.locator("#r-evaluation-weights").get_by_text("各方权重之和应恰好为 100%，现为 90%").wait_for()
    assert not PolicyRule.objects.filter(policy__division_id="350425", key="evaluation.weights").exists()
    card = page.locator("#r-evaluation-weights")
    card.get_by_label("第三方机构（%）").fill("60")
    card.get_by_role("button", name="保存本级规定").click()
    page.locator("#r-evaluation-weights").get_by_text("第三方机构 60%，县民政局 30%，乡镇 10%").wait_for()
    rule = PolicyRule.objects.get(policy__division_id="350425", key="evaluation.weights")
    assert rule.value == {"third_party": "0.6", "county_bureau": "0.3", "township": "0.1"}
    assert rule.clause == "大田县民政局评估办法 第三条"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
