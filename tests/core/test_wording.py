"""Wording and dates (issue 13 item 9), dead ends (item 4) and `make run`'s log and README (item 12)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from contracts.models import Contract
from core.templatetags.zhanwu import cn_date, cn_datetime, ymd
from stations.models import Station

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def test_date_forms() -> None:
    assert cn_date(dt.date(2026, 11, 24)) == "2026年11月24日"
    assert cn_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    moment = dt.datetime(2026, 11, 23, 17, 5, tzinfo=dt.UTC)  # 01:05 the next day in Shanghai
    assert cn_date(moment) == "2026年11月24日"
    assert cn_datetime(moment) == "2026年11月24日 01:05"
    assert ymd(dt.date(2026, 11, 24)) == "2026-11-24"  # the short form, for table cells only
    assert cn_date(None) == "—"


def test_prose_dates_are_written_out(user_client) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    home = user_client("datian_bureau").get("/").content.decode()
    assert f"今天是 {today.year}年{today.month}月{today.day}日" in home
    station = Station.objects.filter(plaque_date__isnull=False).first()
    assert station is not None
    detail = user_client("datian_bureau").get(f"/stations/{station.pk}/").content.decode()
    main = detail.split("<main", 1)[1]
    assert not ISO.findall(main), ISO.findall(main)
    assert f"{station.plaque_date.year}年{station.plaque_date.month}月" in main


def test_password_messages_say_您(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    page = client.get("/password/").content.decode()
    assert "您的密码至少需要 8 个字符" in page and "你" not in page
    assert "API" not in page and "令牌" not in page
    wrong = client.post("/password/", {"old_password": "nope", "new_password1": "1234", "new_password2": "1234"})
    body = wrong.content.decode()
    assert "您输入的当前密码不正确" in body
    assert "密码太短" in body and "密码不能全是数字" in body
    assert "你" not in body
    mismatch = client.post(
        "/password/", {"old_password": "Zhanwu@2026", "new_password1": "Abc#12345x", "new_password2": "Abc#12345y"}
    )
    assert "两次输入的新密码不一致" in mismatch.content.decode()


def test_the_axes_admin_is_chinese(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    index = client.get("/admin/").content.decode()
    assert "登录锁定" in index and "登录尝试" in index and "登录失败记录" in index
    assert "Axes" not in index and "Access" not in index
    changelist = client.get("/admin/axes/accessattempt/").content.decode()
    assert "失败次数" in changelist or "尝试时间" in changelist
    assert "Attempt" not in changelist and "Failed Logins" not in changelist


def test_the_administrator_is_not_named_twice(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("admin").get("/").content.decode()
    assert "系统管理员 · 系统管理员" not in body
    assert "未归属机构" not in body


def test_agency_is_not_told_to_file_what_no_page_takes(user_client) -> None:  # type: ignore[no-untyped-def]
    Contract.objects.filter(agency__name="大田县阳光社会工作服务中心", start_date__lte=timezone.localdate()).update(
        end_date=timezone.localdate() + dt.timedelta(days=20)
    )
    body = user_client("agency_sunshine").get("/").content.decode()
    assert "将在 60 天内到期" in body
    assert "自评" not in body and "请及时准备" not in body


def test_evaluator_sees_each_stations_agreement(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("evaluator").get("/").content.decode()
    assert "服务协议（承接机构）" in body
    today = timezone.localdate()
    shown = re.findall(r'href="/stations/(\d+)/"', body)
    assert shown
    for pk in shown:
        contract = (
            Contract.objects.filter(stations=pk, status="active", start_date__lte=today, end_date__gte=today)
            .order_by("-start_date")
            .first()
        )
        if contract is not None:
            assert contract.number in body and contract.agency.name in body


def test_regional_centre_does_not_show_zero_agreements(user_client) -> None:  # type: ignore[no-untyped-def]
    regional = Station.objects.get(level="regional", division_id="350425100")
    body = user_client("junxi_town").get(f"/stations/{regional.pk}/").content.decode()
    assert "服务协议（0）" not in body
    assert "承接" in body  # who runs it, from the contract in force


def test_ending_contracts_link_to_their_stations(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = Contract.objects.filter(status="active").first()
    assert contract is not None
    Contract.objects.filter(pk=contract.pk).update(end_date=timezone.localdate() + dt.timedelta(days=10))
    body = user_client("datian_bureau").get("/").content.decode()
    link = f'href="/stations/?agency={contract.agency_id}&amp;division={contract.division_id}"'
    assert link in body
    stations = user_client("datian_bureau").get(
        f"/stations/?agency={contract.agency_id}&division={contract.division_id}"
    )
    for station in contract.stations.all():
        assert f'href="/stations/{station.pk}/"' in stations.content.decode()


def test_make_run_says_which_celery_tasks_exist() -> None:
    """The snippet `make run` (scripts/run-dev.sh) runs after starting the worker, run as it is."""
    script = (ROOT / "scripts" / "run-dev.sh").read_text()
    snippet = script.split("\"$py\" - <<'PY' || echo", 1)[1].split("\n", 1)[1].split("\nPY\n", 1)[0]
    out = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.startswith("run: ")
    assert "Celery" in out.stdout and (
        "no project tasks registered" in out.stdout or "tasks registered (" in out.stdout
    )


def test_readme_names_the_login_url_and_agrees_with_make_run_on_redis() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "/login/" in readme
    row = next(line for line in readme.splitlines() if line.startswith("| `REDIS_URL`"))
    assert "make run" in row and "redis://127.0.0.1:6379/0" in row
    assert 'redis_url="${REDIS_URL:-redis://127.0.0.1:6379/0}"' in (ROOT / "scripts" / "run-dev.sh").read_text()


def test_an_english_browser_still_gets_chinese(user_client) -> None:  # type: ignore[no-untyped-def]
    """Chromium asks for English by default; Django's own labels and messages must not switch to it."""
    client = user_client("junxi_town")
    page = client.get("/password/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "新密码" in page and "New password" not in page
    body = client.post("/password/", {}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "请填写此项" in body and "This field is required" not in body


def test_one_menu_is_marked_current(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("datian_bureau").get("/stations/grants/").content.decode()
    assert 'nav-link active" aria-current="page" href="/stations/"' not in body
    assert "dropdown-toggle active" in body
