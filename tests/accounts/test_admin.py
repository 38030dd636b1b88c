"""The admin site goes through the same scoping door: a staff user sees only its own part of the tree."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from stations.models import Division, Station
from tests import oracle

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside_station(demo: None) -> Station:
    """A county headquarters in 白沙 (Hainan), outside every Datian account's scope."""
    return Station.objects.create(
        division=Division.objects.get(code="469025"),
        level=Station.Level.COUNTY_HQ,
        name="白沙黎族自治县社会工作服务总站",
    )


def staff_client(username: str) -> Client:
    user = User.objects.get(username=username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_station", "change_station"]))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("username", ["datian_bureau", "junxi_town", "agency_sunshine", "evaluator"])
def test_admin_changelist_is_scoped(outside_station: Station, username: str) -> None:
    client = staff_client(username)
    user = User.objects.get(username=username)
    response = client.get("/admin/stations/station/?all=1")
    assert response.status_code == 200
    shown = set(re.findall(r'href="/admin/stations/station/(\d+)/change/', response.content.decode()))
    assert shown == {str(pk) for pk in oracle.station_ids(user)}
    assert str(outside_station.pk) not in shown

    # An out-of-scope object is not there at all.
    # (Django's admin redirects a missing object to the admin index with a message, never naming it.)
    response = client.get(f"/admin/stations/station/{outside_station.pk}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert outside_station.name not in client.get("/admin/").content.decode()


def test_admin_sees_everything(outside_station: Station) -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    body = client.get("/admin/stations/station/?all=1").content.decode()
    assert f"/admin/stations/station/{outside_station.pk}/change/" in body


@pytest.mark.parametrize(("username", "may_add"), [("datian_bureau", True), ("junxi_town", False)])
def test_admin_add_follows_the_roles_add_scope(demo: None, username: str, may_add: bool) -> None:
    client = staff_client(username)
    User.objects.get(username=username).user_permissions.add(Permission.objects.get(codename="add_station"))
    assert (client.get("/admin/stations/station/add/").status_code == 200) is may_add
