"""The bounds at their edges, unit by unit: paging (core.pagination), JSON depth and size (core.jsonbounds),
request bodies (core.parsers) and the audit snapshot and diff (core.audit). Each limit is tested at the value
it allows and one past it, so a changed limit or comparison fails here (make mutate)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import override_settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core import audit
from core.jsonbounds import JSONBoundsError, check_bounds, json_depth, loads_bounded
from core.pagination import BoundedLimitOffsetPagination
from core.parsers import BoundedFormParser, BoundedJSONParser, read_bounded

# --- paging --------------------------------------------------------------------------------------------------


def _paging(query: str) -> tuple[int, int]:
    request = Request(APIRequestFactory().get(f"/api/v1/stations/?{query}"))
    paginator = BoundedLimitOffsetPagination()
    return paginator.get_limit(request), paginator.get_offset(request)


def test_paging_defaults_and_edges() -> None:
    assert _paging("") == (50, 0)
    assert _paging("limit=1&offset=0") == (1, 0)
    assert _paging("limit=500") == (500, 0)
    assert _paging("limit=501") == (500, 0)  # lowered to the maximum, not refused
    assert _paging("limit=999999999999") == (500, 0)  # 12 digits: a number, lowered
    assert _paging("offset=1000000000") == (50, 10**9)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("limit=9999999999999", "limit"),  # 13 digits
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("offset=1000000001", "offset"),
    ],
)
def test_paging_refusals(query: str, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _paging(query)
    assert field in refused.value.detail  # type: ignore[operator]


def test_paging_schema() -> None:
    assert BoundedLimitOffsetPagination().get_schema_operation_parameters(None) == [
        {
            "name": "limit",
            "required": False,
            "in": "query",
            "description": "每页条数（默认 50，大于 500 时按 500 返回）",
            "schema": {"type": "integer", "minimum": 1, "maximum": 10**12 - 1},
        },
        {
            "name": "offset",
            "required": False,
            "in": "query",
            "description": "起始位置（从 0 开始）",
            "schema": {"type": "integer", "minimum": 0, "maximum": 10**9},
        },
    ]


# --- JSON depth and size -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ("[][][]", 1),
        ("[[],[]]", 2),
        ('[[],{"a":[{}]}]', 4),
        ('["[[[[", {"k": "]]]"}]', 2),  # brackets inside strings are text
        ('["\\"[", []]', 2),  # an escaped quote does not end the string
    ],
)
def test_json_depth(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_json_depth_stops_early() -> None:
    assert json_depth("[" * 100 + "]" * 100, stop_above=5) == 6


def test_json_depth_limit() -> None:
    assert loads_bounded("[" * 20 + "]" * 20) == json.loads("[" * 20 + "]" * 20)
    with pytest.raises(JSONBoundsError, match="20 层"):
        loads_bounded("[" * 21 + "]" * 21)


def test_json_size_limit() -> None:
    limit = 1024 * 1024
    fits = '"' + "a" * (limit - 2) + '"'
    assert len(loads_bounded(fits)) == limit - 2
    with pytest.raises(JSONBoundsError, match=f"{limit} 个字符"):
        loads_bounded(fits + " ")
    check_bounds("[1]", max_chars=3)
    with pytest.raises(JSONBoundsError):
        check_bounds("[1] ", max_chars=3)


def test_json_bytes_and_errors() -> None:
    assert loads_bounded('{"名": "值"}'.encode()) == {"名": "值"}
    assert loads_bounded(bytearray(b"[1]")) == [1]
    with pytest.raises(JSONBoundsError, match="UTF-8"):
        loads_bounded(b'"\xff"')
    with pytest.raises(JSONBoundsError, match="第 1 行第 2 列"):
        loads_bounded("[,]")


# --- request bodies ------------------------------------------------------------------------------------------

LIMIT = 4096


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_body_limit_edges() -> None:
    assert read_bounded(None) == b""
    exact = b"x" * LIMIT
    assert read_bounded(io.BytesIO(exact)) == exact
    with pytest.raises(ParseError, match="上限 4 KB"):
        read_bounded(io.BytesIO(exact + b"x"))


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_json_parser_at_the_limit() -> None:
    body = json.dumps({"a": "b" * (LIMIT - 10)}).encode()
    body += b" " * (LIMIT - len(body))
    assert len(body) == LIMIT
    assert BoundedJSONParser().parse(io.BytesIO(body))["a"] == "b" * (LIMIT - 10)
    assert BoundedJSONParser().parse(io.BytesIO('{"名":1}'.encode()), parser_context={}) == {"名": 1}
    with pytest.raises(ParseError, match="上限"):
        BoundedJSONParser().parse(io.BytesIO(body + b" "))
    with pytest.raises(ParseError, match="NaN"):
        BoundedJSONParser().parse(io.BytesIO(b"[NaN]"))
    with pytest.raises(ParseError, match="UTF-8"):
        BoundedJSONParser().parse(io.BytesIO(b'"\xff"'))


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_form_parser() -> None:
    parsed = BoundedFormParser().parse(io.BytesIO("a=1&名=值".encode()))
    assert parsed["a"] == "1" and parsed["名"] == "值"
    with pytest.raises(ParseError, match="上限"):
        BoundedFormParser().parse(io.BytesIO(b"a=" + b"1" * LIMIT))


# --- audit snapshot and diff ---------------------------------------------------------------------------------


def test_diff_keeps_only_changes() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": {"before": 2, "after": 3}}
    assert audit.diff({}, {"x": 0}) == {"x": {"before": None, "after": 0}}


@pytest.mark.django_db
def test_snapshot_fields_and_personal_values(demo: None) -> None:
    from tests.personal_app.models import Person

    person = Person.objects.create(division_id="350425", name="快照", phone="13800138000")
    every = audit.snapshot(person)
    assert "phone_hash" not in every and "id_number_hash" not in every  # hashes never enter the trail
    assert every["division_id"] == "350425" and every["name"] == "快照"
    assert every["phone"].startswith("138****8000") and "13800138000" not in every["phone"]
    assert audit.snapshot(person, ["name"]) == {"name": "快照"}


@pytest.mark.django_db
def test_record_defaults(demo: None) -> None:
    row = audit.record(acting_user=None, event="update", object_type="stations.Station")
    assert row.success is True and row.user is None and row.username == ""


@pytest.mark.django_db
def test_record_names_the_object(demo: None) -> None:
    from stations.models import Station

    station = Station.objects.order_by("pk").first()
    assert station is not None
    row = audit.record(acting_user=None, event="update", obj=station)
    assert row.object_type == "stations.Station" and row.object_id == str(station.pk)
    assert row.object_repr == str(station)
    long = audit.record(acting_user=None, event="update", obj=station, object_repr="长" * 300)
    assert long.object_repr == "长" * 200


def test_client_ip() -> None:
    from django.test import RequestFactory

    assert audit.client_ip(None) is None
    assert audit.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"


@pytest.mark.django_db
def test_registered_names_reach_the_audit_page_words() -> None:
    from types import SimpleNamespace

    from core.views import describe_changes, object_type_label

    saved = (dict(audit.OBJECT_TYPE_LABELS), dict(audit.CHANGE_KEY_LABELS), dict(audit.CHANGE_FORMATTERS))
    try:
        audit.register_object_type("tests.Thing", "测试事项")
        audit.register_change_key("zz_key", "测试键")
        assert object_type_label("tests.Thing") == "测试事项"
        row = SimpleNamespace(object_type="tests.Thing", changes={"zz_key": {"before": "甲", "after": "乙"}})
        assert describe_changes(row) == [{"label": "测试键", "before": "甲", "after": "乙"}]
        audit.register_change_formatter("tests.Thing", lambda r: [{"label": "自定", "before": "", "after": "好"}])
        assert describe_changes(row) == [{"label": "自定", "before": "", "after": "好"}]
    finally:
        for registry, before in zip(
            (audit.OBJECT_TYPE_LABELS, audit.CHANGE_KEY_LABELS, audit.CHANGE_FORMATTERS), saved, strict=True
        ):
            registry.clear()
            registry.update(before)


def test_event_labels_for_built_in_registered_and_unknown_events() -> None:
    """The audit page words every event: the model's own events, the words an app registers, and 操作 for
    anything else — never a code."""
    assert audit.event_label("create") == "新增"
    assert audit.event_label("approve") == "批准"
    audit.register_event("test_only_event", "测试事件")
    try:
        assert audit.event_label("test_only_event") == "测试事件"
    finally:
        audit.EVENT_LABELS.pop("test_only_event", None)
    assert audit.event_label("no_such_event") == "操作"


@pytest.mark.django_db
def test_an_acting_object_that_is_not_a_user_is_recorded_as_nobody() -> None:
    from types import SimpleNamespace

    row = audit.record(acting_user=SimpleNamespace(pk=1), event="update", object_type="test.Thing")  # type: ignore[arg-type]
    assert row.user is None and row.username == ""
