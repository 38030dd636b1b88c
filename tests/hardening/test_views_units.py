"""Direct checks of core/views.py: how the audit page words a change, and that edit pages need the change scope —
written for the mutants of `make mutate` that the page tests left alive."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from core import audit
from core.views import _field_and_label, _value_text, describe_changes
from stations.models import Station


def test_empty_values_read_as_empty_and_each_kind_in_words() -> None:
    empties: tuple[Any, ...] = (None, "", [])
    for empty in empties:
        assert _value_text(None, empty) == "（空）"
    assert (_value_text(None, True), _value_text(None, False)) == ("是", "否")
    assert _value_text(None, 0) == "0"  # zero is a value, not an empty one
    assert _value_text(None, ["甲", "乙"]) == "甲、乙"
    assert _value_text(None, {"a": "甲", "b": None, "c": "", "d": "丁"}) == "甲；丁"
    status = Station._meta.get_field("status")
    assert _value_text(status, "operating") == dict(status.flatchoices)["operating"]
    assert _value_text(status, "no-such-state") == "no-such-state"


def test_a_changed_field_is_named_by_its_column_or_its_name() -> None:
    by_column, label = _field_and_label(Station, "division_id")
    assert by_column is Station._meta.get_field("division") and label == "所在行政区划"
    by_name, same = _field_and_label(Station, "division")
    assert by_name is by_column and same == label
    assert _field_and_label(Station, "no_such_field") == (None, "其他内容")
    assert _field_and_label(None, "division") == (None, "其他内容")


@pytest.mark.parametrize("object_type", ["", "nosuch.Model", "not-a-label"])
def test_changes_of_an_unknown_object_type_are_worded_without_a_model(object_type: str) -> None:
    row = SimpleNamespace(object_type=object_type, changes={"division": {"before": None, "after": "均溪镇"}})
    assert describe_changes(row) == [{"label": "其他内容", "before": "（空）", "after": "均溪镇"}]


def test_a_registered_formatter_words_its_own_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "CHANGE_FORMATTERS", dict(audit.CHANGE_FORMATTERS))
    worded = [{"label": "测试", "before": "一", "after": "二"}]

    def formatter(row: Any) -> list[dict[str, str]]:
        return worded

    audit.register_change_formatter("tests.Thing", formatter)
    assert describe_changes(SimpleNamespace(object_type="tests.Thing", changes={"x": 1})) is worded
    plain = describe_changes(SimpleNamespace(object_type="stations.Station", changes={"name": "均溪站"}))
    assert plain == [{"label": str(Station._meta.get_field("name").verbose_name), "before": "", "after": "均溪站"}]


@pytest.mark.django_db
def test_an_edit_page_needs_the_change_scope_not_only_the_view_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    township = User.objects.get(username="junxi_town")
    seen = Station.objects.for_user(township).order_by("pk").first()
    assert seen is not None and not Station.objects.for_user(township, "change").filter(pk=seen.pk).exists()
    assert user_client("junxi_town").get(f"/stations/{seen.pk}/").status_code == 200
    assert user_client("junxi_town").get(f"/stations/{seen.pk}/edit/").status_code == 404
    assert user_client("datian_bureau").get(f"/stations/{seen.pk}/edit/").status_code == 200


def test_the_audit_filters_are_bounded_and_cleaned() -> None:
    import datetime as dt

    from django.test import RequestFactory

    from core.views import AuditLogListView

    view = AuditLogListView()
    view.request = RequestFactory().get(
        "/audit/", {"who": " 张" * 30 + "\x00", "type": "s" * 70, "event": "no-such", "from": "2026-13-01"}
    )
    f = view.filters()
    assert len(f["who"]) == 50 and "\x00" not in f["who"] and not f["who"].startswith(" ")
    assert f["type"] == "s" * 60
    assert f["event"] == "" and f["from"] is None and f["to"] is None
    view.request = RequestFactory().get("/audit/", {"who": "张三", "event": "update", "to": "2026-12-07"})
    assert view.filters() == {"who": "张三", "event": "update", "type": "", "from": None, "to": dt.date(2026, 12, 7)}


@pytest.mark.parametrize(
    ("handler", "status", "detail"),
    [
        ("page_not_found", 404, "未找到。"),
        ("permission_denied", 403, "您没有执行该操作的权限。"),
        ("server_error", 500, "服务器出错，请稍后再试。"),
    ],
)
def test_api_error_answers_are_json_with_the_status_and_plain_chinese(handler: str, status: int, detail: str) -> None:
    import json

    from django.test import RequestFactory

    from core import views

    request = RequestFactory().get("/api/v1/no-such/")
    answer = getattr(views, handler)(request) if handler == "server_error" else getattr(views, handler)(request, None)
    assert answer.status_code == status and answer["Content-Type"] == "application/json"
    assert answer.content.decode() == json.dumps({"detail": detail}, ensure_ascii=False)  # no \\u escapes


@pytest.mark.django_db
def test_the_audit_page_lists_its_choices_and_whether_it_is_filtered(user_client) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from core.models import AuditLog

    zone = timezone.get_current_timezone()
    rows = {}
    moments = (
        ("inside", dt.datetime(2031, 5, 6, 23, 59, tzinfo=zone)),
        ("after", dt.datetime(2031, 5, 7, 0, 30, tzinfo=zone)),
    )
    for name, moment in moments:
        with time_machine.travel(moment, tick=False):
            rows[name] = audit.record(
                acting_user=None,
                username="单元",
                event="update",
                object_type="stations.Station",
                division_code="350425",
            ).pk
    client = user_client("datian_bureau")
    plain = client.get("/audit/")
    assert plain.context["filtered"] is False
    assert list(plain.context["events"]) == list(AuditLog.Event.choices)
    types = plain.context["types"]
    labels = [label for _, label in types]
    assert ("stations.Station", "社工站") in types and labels == sorted(labels)
    ranged = client.get("/audit/?from=2031-05-06&to=2031-05-06")
    assert ranged.context["filtered"] is True
    shown = {e["row"].pk for e in ranged.context["entries"]}
    assert rows["inside"] in shown and rows["after"] not in shown  # the whole day, not the next
