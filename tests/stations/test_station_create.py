"""New stations: the county bureau creates them inside its county, with the standard name; others get 404."""

from __future__ import annotations

import html
import re

import pytest

from core.models import AuditLog
from stations.models import Division, Station
from tests import oracle

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
def test_only_roles_that_may_add_see_the_page(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    status = user_client(username).get("/stations/new/").status_code
    assert status == (200 if username in ("admin", "datian_bureau") else 404)


def _free_village() -> Division:
    village = Division.objects.filter(code__startswith="350425103", level=5).exclude(stations__isnull=False).first()
    assert village is not None
    return village


def test_county_bureau_creates_a_village_point_with_the_standard_name(user_client) -> None:  # type: ignore[no-untyped-def]
    village = _free_village()
    response = user_client("datian_bureau").post("/stations/new/", {"division": village.code, "level": "village"})
    assert response.status_code == 302
    station = Station.objects.get(division=village, level=Station.Level.VILLAGE)
    assert station.status == Station.Status.PLANNED
    assert station.name == f"广平镇{village.name}社会工作服务点"
    assert response["Location"] == f"/stations/{station.pk}/edit/"
    assert AuditLog.objects.filter(event="create", object_type="stations.Station", object_id=str(station.pk)).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"division": "469025", "level": "county_hq"}, "不在您可以新建站点的范围内"),  # 白沙: another county
        (
            {"division": "350425100", "level": "village"},
            "村（社区）社工服务点要建在村（社区），而所选地点是乡镇（街道）",
        ),
        (
            {"division": "350425100", "level": "township"},
            "均溪镇已经有在用的乡镇（街道）社工站“大田县均溪镇社会工作服务站”",
        ),
        ({"division": "3504", "level": "city_centre"}, "范围内"),  # an ancestor: visible, not writable
    ],
)
def test_bad_requests_are_explained_and_nothing_is_saved(user_client, data: dict[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    before = Station.objects.count()
    response = user_client("datian_bureau").post("/stations/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Station.objects.count() == before


def test_others_cannot_post(user_client) -> None:  # type: ignore[no-untyped-def]
    village = _free_village()
    for username in ["junxi_town", "agency_sunshine", "evaluator", "fj_province"]:
        response = user_client(username).post("/stations/new/", {"division": village.code, "level": "village"})
        assert response.status_code == 404
    assert not Station.objects.filter(division=village).exists()


# --- picking the place (issue 13 item 5) ---------------------------------------------------------------------


def test_the_form_asks_for_no_code(user_client) -> None:  # type: ignore[no-untyped-def]
    body = user_client("datian_bureau").get("/stations/new/").content.decode()
    assert "区划代码" not in body
    assert 'type="search"' in body and 'hx-get="/stations/new/"' in body
    assert 'name="division" value="' not in body or 'type="radio"' in body  # a place is chosen, never typed


def test_search_finds_places_by_name_inside_the_bureaus_county_only(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    response = client.get("/stations/new/?q=镇", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # the htmx fragment only
    codes = set(re.findall(r'name="division"\s+id="place-\d+" value="(\d+)"', body))
    assert codes and all(code.startswith("350425") for code in codes)
    assert "350425100" in codes  # 均溪镇
    # Another province's 镇 is not offered, nor is the county's own city (visible, not writable).
    elsewhere = client.get("/stations/new/?q=白沙", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="469025' not in elsewhere
    city = client.get("/stations/new/?q=三明", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="3504"' not in city


def test_the_tree_walks_down_to_villages(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    top = client.get("/stations/new/").content.decode()
    assert 'value="350425100"' in top  # a county bureau starts in its county: its townships
    villages = client.get("/stations/new/?parent=350425100", HTTP_HX_REQUEST="true").content.decode()
    first = Division.objects.filter(parent_id="350425100").order_by("code").first()
    assert first is not None and f'value="{first.code}"' in villages
    assert 'data-default-level="village"' in villages
    foreign = client.get("/stations/new/?parent=469025", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="469025' not in foreign  # out of scope: back at the bureau's own top, nothing of 白沙


def test_starting_from_a_township_preselects_it_with_its_level(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    detail = client.get("/divisions/350425103/").content.decode()
    assert 'href="/stations/new/?division=350425103&amp;next=/divisions/350425103/"' in detail
    body = client.get("/stations/new/?division=350425103&next=/divisions/350425103/").content.decode()
    assert re.search(r'id="place-selected" value="350425103"[^>]*checked', body)
    assert re.search(r'<option value="township" selected>', body)
    assert 'href="/divisions/350425103/">取消</a>' in body


@pytest.mark.parametrize(
    ("division", "level"),
    [("350425", "county_hq"), ("350425103", "township")],
)
def test_level_defaults_from_the_place(user_client, division: str, level: str) -> None:  # type: ignore[no-untyped-def]
    Station.objects.filter(division_id=division, level=level).update(status="closed")
    response = user_client("datian_bureau").post("/stations/new/", {"division": division, "level": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Station.objects.filter(division_id=division, level=level, status="planned").exists()


def test_village_defaults_to_a_service_point(user_client) -> None:  # type: ignore[no-untyped-def]
    village = _free_village()
    response = user_client("datian_bureau").post("/stations/new/", {"division": village.code})
    assert response.status_code == 302
    assert Station.objects.get(division=village).level == Station.Level.VILLAGE


def test_no_place_picked_is_explained(user_client) -> None:  # type: ignore[no-untyped-def]
    response = user_client("datian_bureau").post("/stations/new/", {"level": "township"})
    assert response.status_code == 200
    assert "请先选择要建站的地点" in response.content.decode()


@pytest.mark.parametrize(
    ("next_url", "cancel"),
    [
        ("/divisions/350425/", "/divisions/350425/"),
        ("/stations/?level=village", "/stations/?level=village"),
        ("https://evil.example/", "/stations/"),
        ("//evil.example/", "/stations/"),
        ("/\\evil.example/", "/stations/"),
        ("javascript:alert(1)", "/stations/"),
    ],
)
def test_cancel_returns_only_to_a_same_site_path(user_client, next_url: str, cancel: str) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import urlencode

    body = user_client("datian_bureau").get("/stations/new/?" + urlencode({"next": next_url})).content.decode()
    assert f'href="{html.escape(cancel)}">取消</a>' in body
