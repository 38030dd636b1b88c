"""Home pages open with each role's own 待办 (overdue first, linking to where it is done); the obligations API
with its filters shows each user only what it owes or must watch."""

from __future__ import annotations

import datetime as dt

import pytest

from obligations.models import Obligation
from stations.models import Station
from tests.obligations.support import set_rule, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def junxi_owes(demo: None) -> tuple[Station, Station]:
    """Junxi's station lacks its plaque (due soon) and is not operating (overdue); Shipai's is done."""
    junxi = Station.objects.get(division_id="350425100", level="township")
    Station.objects.filter(pk=junxi.pk).update(plaque_date=None, status="preparing")
    set_rule("350425", "milestone.signage_done", "2026-12-01", "[000 §4(5)]")
    set_rule("350425", "milestone.staff_deployed", "2026-11-01", "[000 §5(4)]")
    sweep(dt.date(2026, 11, 24))
    return junxi, Station.objects.get(division_id="350425101", level="township")


def test_home_opens_with_overdue_then_due_soon(user_client, junxi_owes) -> None:  # type: ignore[no-untyped-def]
    junxi, _ = junxi_owes
    body = user_client("junxi_town").get("/").content.decode()
    todo = body.index('id="todo-title"')
    assert todo < body.index("本乡镇的社工站")  # the page opens with it
    overdue = body.index("todo-overdue")
    soon = body.index("todo-due_soon")
    assert todo < overdue < soon
    assert f"{junxi.name}：开展驻站服务" in body[overdue:soon]
    assert f"{junxi.name}：完成挂牌（揭牌）" in body[soon:]
    assert f'href="/stations/{junxi.pk}/"' in body  # where it is done


def test_each_role_sees_only_its_own_todo(user_client, junxi_owes) -> None:  # type: ignore[no-untyped-def]
    junxi, _ = junxi_owes
    titles = list(Obligation.objects.filter(object_id=junxi.pk).values_list("title", flat=True))
    assert titles
    for username, sees in [
        ("junxi_town", True),
        ("datian_bureau", True),
        ("fj_province", True),
        ("admin", True),
        ("shipai_town", False),
        ("agency_harmony", False),
        ("evaluator", False),
    ]:
        body = user_client(username).get("/").content.decode()
        assert all((t in body) == sees for t in titles), username


def test_api_filters(user_client, junxi_owes) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    every = client.get("/api/v1/obligations/?limit=500").json()["results"]
    assert {r["state"] for r in every} >= {"overdue", "due_soon"}
    row = next(r for r in every if r["kind"] == "station.signage")
    assert set(row) >= {"kind", "kind_display", "title", "due_date", "state", "rule_key", "clause", "owner", "link"}
    overdue = client.get("/api/v1/obligations/?state=overdue").json()["results"]
    assert overdue and all(r["state"] == "overdue" for r in overdue)
    kinds = client.get("/api/v1/obligations/?kind=station.signage").json()["results"]
    assert kinds and all(r["kind"] == "station.signage" for r in kinds)
    before = client.get("/api/v1/obligations/?due_before=2026-11-15").json()["results"]
    assert before and all(r["due_date"] <= "2026-11-15" for r in before)
    after = client.get("/api/v1/obligations/?due_after=2026-11-15").json()["results"]
    assert after and all(r["due_date"] >= "2026-11-15" for r in after)
    junxi = client.get("/api/v1/obligations/?division=350425100").json()["results"]
    assert junxi and all(r["division"].startswith("350425100") for r in junxi)
    assert client.get("/api/v1/obligations/?division=35x").status_code == 400
    assert client.get("/api/v1/obligations/?state=late").status_code == 400
    assert client.get("/api/v1/obligations/?due_before=2026-13-45").status_code == 400
    # The township next door sees none of Junxi's.
    assert user_client("shipai_town").get("/api/v1/obligations/?division=350425100").json()["count"] == 0


def test_list_page_filters_and_defaults_to_open(user_client, junxi_owes) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    page = client.get("/obligations/").content.decode()
    assert "待办事项" in page and "已逾期" in page
    done = client.get("/obligations/?state=done").content.decode()
    assert "没有符合条件的事项" in done


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_pages_have_a_fixed_number_of_queries(user_client, demo: None) -> None:  # type: ignore[no-untyped-def]
    from tests.obligations.support import make_county

    make_county("439901", 3)
    set_rule("439901", "milestone.signage_done", "2026-11-01", "[测试 §1]")
    sweep(dt.date(2026, 11, 24))
    client = user_client("admin")
    urls = ["/", "/obligations/", "/notifications/", "/api/v1/obligations/", "/api/v1/notifications/"]
    small = {u: _queries(client, u) for u in urls}
    make_county("439902", 30)
    set_rule("439902", "milestone.signage_done", "2026-11-01", "[测试 §1]")
    sweep(dt.date(2026, 11, 24))
    assert Obligation.objects.count() == 33
    assert {u: _queries(client, u) for u in urls} == small
