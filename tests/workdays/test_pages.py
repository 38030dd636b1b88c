"""The calendar pages through HTTP: a year with its named holidays and a year switcher, the notice for a year not
covered, the deadline calculator (2026年10月23日, and the plain statement when a year is unknown), and Chinese only."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from tests import oracle

pytestmark = pytest.mark.django_db


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
def test_every_role_reads_the_calendar_in_chinese(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    body = text(client.get("/calendar/?year=2026"))
    assert '<html lang="zh-hans">' in body
    assert "2026年的放假安排已收录" in body and "国办发明电〔2025〕7号" in body
    for name in ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]:
        assert f'<th scope="row">{name}</th>' in body, name
    assert "10月1日至10月7日" in body and "9月20日（周日）、10月10日（周六）" in body
    assert 'href="?year=2025"' in body and 'href="?year=2027"' in body
    assert 'href="/calendar/"' in body  # the nav link
    body = text(client.get("/calendar/deadline/?start=2026-09-28&amount=15&unit=working_days"))
    assert "到期日：<strong>2026年10月23日</strong>（周五）" in body
    assert "2026年9月28日后15个工作日" in body and "第二百零一条" in body


def test_no_english_or_codes_on_the_pages(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    for url in [
        "/calendar/?year=2025",
        "/calendar/?year=2027",
        "/calendar/deadline/?start=2026-12-20&amount=15&unit=working_days",
    ]:
        body = text(client.get(url))
        visible = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", body, flags=re.S)
        for word in ["working_days", "calendar_days", "unknown", "None", "True", "False", "Deadline"]:
            assert word not in visible, (url, word)


def test_a_year_not_covered_says_so(user_client) -> None:  # type: ignore[no-untyped-def]
    body = text(user_client("junxi_town").get("/calendar/?year=2027"))
    assert "2027年的节假日安排尚未收录" in body and "系统不会猜测" in body
    assert "录入2027年的安排" not in body  # only the administrator gets the link
    body = text(user_client("admin").get("/calendar/?year=2027"))
    assert 'href="/calendar/arrangement/?year=2027"' in body


def test_a_bad_year_falls_back_with_a_notice(user_client) -> None:  # type: ignore[no-untyped-def]
    body = text(user_client("junxi_town").get("/calendar/?year=abc"))
    assert "年度应为 1900 至 2199 之间的四位数" in body


def test_the_calculator_says_plainly_when_the_year_is_not_published(user_client) -> None:  # type: ignore[no-untyped-def]
    body = text(user_client("agency_sunshine").get("/calendar/deadline/?start=2026-12-20&amount=15&unit=working_days"))
    assert "暂时无法确定到期日" in body
    assert "2027年的节假日安排尚未公布" in body
    assert "到期日：<strong>" not in body


def test_the_calculator_counts_months_with_art_203(user_client) -> None:  # type: ignore[no-untyped-def]
    body = text(user_client("evaluator").get("/calendar/deadline/?start=2026-09-01&amount=1&unit=months"))
    assert "到期日：<strong>2026年10月8日</strong>" in body
    assert "第二百零二条" in body and "第二百零三条" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=&amount=15&unit=working_days", "请选择起算日期。"),
        ("start=2026-02-30&amount=15&unit=working_days", "请填写有效日期。"),
        ("start=2026-09-28&amount=-3&unit=working_days", "期间长度至少为 1。"),
        ("start=2026-09-28&amount=5000&unit=working_days", "不超过 3650"),
        ("start=2026-09-28&amount=&unit=months", "请填写期间长度。"),
        ("start=2026-09-28&amount=1&unit=weeks", "选择一个有效的选项"),
    ],
)
def test_calculator_errors_are_next_to_the_field(user_client, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    body = text(user_client("junxi_town").get(f"/calendar/deadline/?{query}"))
    assert "invalid-feedback" in body and message in body
    assert "到期日：" not in body


def test_anonymous_users_are_sent_to_login(client) -> None:  # type: ignore[no-untyped-def]
    for url in ["/calendar/", "/calendar/deadline/", "/calendar/arrangement/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_user_without_a_role_gets_404(client, demo) -> None:  # type: ignore[no-untyped-def]
    client.force_login(User.objects.create_user("nobody", password="Zhanwu@2026-x"))
    for url in ["/calendar/", "/calendar/deadline/", "/calendar/arrangement/"]:
        assert client.get(url).status_code == 404, url
