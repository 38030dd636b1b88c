"""The system administrator enters a year's arrangement in the browser: typed rows or a pasted notice,
validated next to each field in Chinese, saved all or nothing with one audit row; nobody else reaches the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.models import AuditLog
from workdays.arrangement import HolidayRow, check_rows, parse_notice
from workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

URL = "/calendar/arrangement/"
D = dt.date

# The 2027 arrangement used below is made up for the test (the real notice is not in the library yet).
ROWS_2027 = [
    ("元旦", "2027-01-01", "2027-01-03", ""),
    ("春节", "2027-02-05", "2027-02-12", "2月14日"),
    ("国庆节", "2027-10-01", "2027-10-07", "9月26日（周日）、10月9日（周六）"),
]

NOTICE_2026 = """一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"""


def post_data(year: int, rows: list[tuple[str, str, str, str]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "year": str(year),
        "notice": "国办发明电〔2026〕9号",
        "source": f"国务院办公厅关于{year}年部分节假日安排的通知",
        "complete": "on",
        "action": "save",
        "form-TOTAL_FORMS": str(len(rows) + 2),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "30",
    }
    for i, (name, first, last, work) in enumerate(rows):
        data |= {f"form-{i}-name": name, f"form-{i}-first": first, f"form-{i}-last": last, f"form-{i}-workdays": work}
    data |= {f"form-{len(rows)}-name": "端午节"}  # a pre-filled but unused row is skipped
    data |= extra
    return data


def test_the_administrator_adds_a_year_and_it_counts(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    assert client.get(URL).status_code == 200
    before = AuditLog.objects.count()
    response = client.post(URL, post_data(2027, ROWS_2027))
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2027"
    year = CalendarYear.objects.get(year=2027)
    assert (year.complete, year.origin, year.notice) == (True, "admin", "国办发明电〔2026〕9号")
    days = dict(CalendarDay.objects.filter(year=year).values_list("date", "kind"))
    assert len([k for k in days.values() if k == "off"]) == 3 + 8 + 7
    assert days[D(2027, 2, 14)] == days[D(2027, 9, 26)] == days[D(2027, 10, 9)] == "workday"
    log = AuditLog.objects.order_by("-pk").first()
    assert AuditLog.objects.count() == before + 1 and log is not None
    assert (log.event, log.username, log.object_repr) == ("create", "admin", "2027年节假日安排")
    assert "2027-10-09" in log.changes["workdays"]["after"]
    # The year is now covered: the page says so and the API counts into it.
    body = client.get("/calendar/?year=2027").content.decode()
    assert "2027年的放假安排已收录" in body and "国庆节" in body
    data = client.get("/api/v1/calendar/deadline/", {"start": "2026-12-20", "working_days": "15"}).json()
    assert data["due"] is not None and data["unknown_years"] == []
    # 2027-09-30 (Thu) + 3 working days: 1–7 Oct off, Fri 8 Oct (1), Sat 9 Oct make-up (2), Mon 11 Oct (3).
    data = client.get("/api/v1/calendar/deadline/", {"start": "2027-09-30", "working_days": "3"}).json()
    assert data["due"] == "2027-10-11"


def test_editing_a_year_replaces_its_days_and_audits_the_difference(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    client.post(URL, post_data(2027, ROWS_2027))
    body = client.get(URL + "?year=2027").content.decode()
    assert "2027年已有安排" in body and 'value="2027-10-07"' in body and "9月26日、10月9日" in body
    rows = [*ROWS_2027[:2], ("国庆节", "2027-10-01", "2027-10-06", "9月26日")]
    assert client.post(URL, post_data(2027, rows)).status_code == 302
    days = set(CalendarDay.objects.filter(year_id=2027).values_list("date", flat=True))
    assert D(2027, 10, 7) not in days and D(2027, 10, 9) not in days
    log = AuditLog.objects.order_by("-pk").first()
    assert log is not None and log.event == "update"
    assert "2027-10-07" in log.changes["off_days"]["before"] and "2027-10-07" not in log.changes["off_days"]["after"]


@pytest.mark.parametrize(
    ("rows", "row", "field", "message"),
    [
        ([("国庆节", "2028-10-01", "2028-10-07", "")], 0, "first", "日期须在2027年之内"),
        ([("国庆节", "2027-10-07", "2027-10-01", "")], 0, "last", "放假结束日期不能早于开始日期"),
        ([("国庆节", "2027-10-01", "2027-10-07", "10月2日")], 0, "workdays", "既是放假日又是调休上班日"),
        ([("国庆节", "2027-10-01", "2027-10-07", "10月13日")], 0, "workdays", "应为周六或周日"),
        ([("国庆节", "2027-10-01", "2027-10-07", "2026年10月10日")], 0, "workdays", "须在2027年之内"),
        ([("国庆节", "2027-10-01", "2027-10-07", "10月32日")], 0, "workdays", "不是有效日期"),
        ([("国庆节", "2027-10-01", "2027-10-07", "下周六")], 0, "workdays", "无法识别"),
        (
            [("元旦", "2027-01-01", "2027-01-03", ""), ("春节", "2027-01-03", "2027-01-09", "")],
            1,
            "first",
            "已在第1行放假",
        ),
        ([("元旦", "2027-01-01", "2027-03-01", "")], 0, "last", "不超过31天"),
        ([("", "2027-10-01", "2027-10-07", "")], 0, "name", "请填写节日名称"),
        ([("国庆节", "", "", "10月9日")], 0, "first", "请填写放假开始日期"),
        ([("国庆节", "2027-13-01", "", "")], 0, "first", "请填写有效日期"),
    ],
)
def test_errors_stand_next_to_the_field_and_nothing_is_saved(user_client, rows, row, field, message) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    # A good first row and then the bad one: all or nothing.
    good = [("元旦", "2027-01-01", "2027-01-01", "")] if rows[0][0] != "元旦" else []
    audits = AuditLog.objects.count()
    response = client.post(URL, post_data(2027, good + rows))
    assert response.status_code == 400
    body = response.content.decode()
    assert "未保存，请修改标出的项目。" in body and message in body
    form = response.context["formset"].forms[row + len(good)]
    assert any(message in e for e in form.errors[field]), form.errors
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert AuditLog.objects.count() == audits


def test_a_bad_edit_keeps_the_year_as_it_was(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    client.post(URL, post_data(2027, ROWS_2027))
    before = list(CalendarDay.objects.filter(year_id=2027).values_list("date", "kind", "name"))
    bad = [*ROWS_2027, ("劳动节", "2027-05-01", "2027-05-05", "5月3日")]
    assert client.post(URL, post_data(2027, bad, notice="改了")).status_code == 400
    assert list(CalendarDay.objects.filter(year_id=2027).values_list("date", "kind", "name")) == before
    assert CalendarYear.objects.get(year=2027).notice == "国办发明电〔2026〕9号"


def test_year_and_empty_form_errors(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    response = client.post(URL, post_data(1800, ROWS_2027))
    assert response.status_code == 400 and "年度须在1900年至2199年之间" in response.content.decode()
    response = client.post(URL, post_data(2027, [], source=""))
    body = response.content.decode()
    assert response.status_code == 400 and "请填写通知标题或来源" in body
    response = client.post(URL, post_data(2027, []))
    assert response.status_code == 400 and "请至少填写一个节日的放假安排" in response.content.decode()


def test_a_pasted_notice_fills_the_rows_and_saves_nothing(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    data = post_data(2027, [], action="parse", notice_text=NOTICE_2026.replace("2026", "2027"))
    response = client.post(URL, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已从通知文本识别出7项" in body
    assert 'value="2027-02-15"' in body and 'value="2027-02-23"' in body
    assert not CalendarYear.objects.filter(year=2027).exists()
    response = client.post(URL, post_data(2027, [], action="parse", notice_text="明天放假"))
    assert response.status_code == 400 and "未能从粘贴的文本中识别出放假安排" in response.content.decode()


def test_reading_the_2026_notice_gives_the_stored_2026_calendar() -> None:
    rows = parse_notice(NOTICE_2026, 2026)
    assert [r.name for r in rows] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    assert not check_rows(2026, rows)
    off = {d for r in rows for d in r.days_off()}
    work = {d for r in rows for d in r.workdays}
    stored = dict(CalendarDay.objects.filter(year_id=2026).values_list("date", "kind"))
    assert off == {d for d, k in stored.items() if k == "off"}
    assert work == {d for d, k in stored.items() if k == "workday"}


def test_a_cross_year_new_year_is_read_but_must_be_entered_in_its_own_year() -> None:
    rows = parse_notice("一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。", 2023)
    assert rows == [HolidayRow("元旦", D(2022, 12, 31), D(2023, 1, 2), ())]
    assert "日期须在2023年之内" in " ".join(check_rows(2023, rows).messages())


@pytest.mark.parametrize("username", ["fj_province", "datian_bureau", "junxi_town", "agency_sunshine", "evaluator"])
def test_nobody_else_reaches_the_page(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    assert client.get(URL).status_code == 404
    assert client.post(URL, post_data(2027, ROWS_2027)).status_code == 404
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert 'href="/calendar/arrangement/' not in client.get("/calendar/?year=2027").content.decode()


def test_the_action_refuses_anyone_but_the_administrator(demo) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from accounts.models import User
    from workdays.actions import save_arrangement

    # A role that may not take the action is refused like an object out of scope (core.actions: 404).
    with pytest.raises((PermissionDenied, Http404)):
        save_arrangement(
            acting_user=User.objects.get(username="datian_bureau"),
            year=2027,
            notice="",
            source="x",
            complete=True,
            holidays=[HolidayRow("元旦", D(2027, 1, 1), D(2027, 1, 1))],
        )
    assert not CalendarYear.objects.filter(year=2027).exists()
