"""New stations: the county bureau creates them inside its county, with the standard name; others get 404."""

from __future__ import annotations

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
        ({"division": "350425100", "level": "township"}, "已有同层级"),  # 均溪 already has one
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
