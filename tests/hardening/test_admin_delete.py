"""Deleting what other records depend on is refused in the admin (a station in a contract or granted to an
evaluator); a station nothing depends on can still be deleted, with an audit row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from guardian.shortcuts import assign_perm

from accounts.models import User
from contracts.models import Contract
from core.admin_base import dependents
from core.models import AuditLog
from stations.actions import station_create
from stations.models import Division, Station, StationGroupObjectPermission

pytestmark = pytest.mark.django_db

PERMS = ("view_station", "change_station", "delete_station")


def contracted_station() -> Station:
    station = Station.objects.filter(contracts__isnull=False).first()
    assert station is not None
    return station


def test_a_station_in_a_contract_cannot_be_deleted(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau", *PERMS)
    station = contracted_station()
    contracts = set(station.contracts.values_list("pk", flat=True))
    change = client.get(f"/admin/stations/station/{station.pk}/change/").content.decode()
    assert f"/admin/stations/station/{station.pk}/delete/" not in change
    assert client.get(f"/admin/stations/station/{station.pk}/delete/").status_code == 403
    assert client.post(f"/admin/stations/station/{station.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Station.objects.filter(pk=station.pk).exists()
    assert set(Contract.objects.filter(stations=station).values_list("pk", flat=True)) == contracts
    assert not AuditLog.objects.filter(event="delete", object_id=str(station.pk)).exists()


def test_the_bulk_delete_action_refuses_rows_with_dependents(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau", *PERMS)
    station = contracted_station()
    data = {"action": "delete_selected", "_selected_action": [station.pk], "post": "yes"}
    response = client.post("/admin/stations/station/", data)
    assert response.status_code == 200  # the confirmation page listing what protects the row, no deletion
    body = response.content.decode()
    assert "无法删除" in body  # the refusal page (protected rows or missing permissions), nothing deleted
    assert Station.objects.filter(pk=station.pk).exists()


def test_an_evaluator_grant_also_protects_the_station(demo: None) -> None:
    # Grants go to the evaluator organisation's group (stations/grants); a user grant protects just the same.
    evaluator = User.objects.get(username="evaluator")
    group_grant = StationGroupObjectPermission.objects.filter(group__user=evaluator).select_related("content_object")
    grant = group_grant.first()
    assert grant is not None
    assert any("权限" in line or "permission" in line.lower() for line in dependents(grant.content_object))
    station = Station.objects.exclude(pk=grant.content_object_id).order_by("pk").first()
    assert station is not None
    assign_perm("stations.view_station", evaluator, station)  # a direct user grant
    assert any("权限" in line or "permission" in line.lower() for line in dependents(station))


def test_a_station_nothing_depends_on_is_deleted_and_audited(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau", *PERMS)
    officer = User.objects.get(username="datian_bureau")
    village = Division.objects.filter(code__startswith="350425", level=Division.Level.VILLAGE).exclude(
        stations__isnull=False
    )[0]
    station = station_create(acting_user=officer, division=village, level=Station.Level.VILLAGE)
    assert dependents(station) == []
    response = client.post(f"/admin/stations/station/{station.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Station.objects.filter(pk=station.pk).exists()
    assert AuditLog.objects.filter(event="delete", object_id=str(station.pk), username="datian_bureau").exists()


def test_without_the_delete_permission_nothing_is_deleted(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau", "view_station")
    station = contracted_station()
    User.objects.get(username="datian_bureau").user_permissions.remove(
        Permission.objects.get(codename="delete_station")
    )
    assert client.post(f"/admin/stations/station/{station.pk}/delete/", {"post": "yes"}).status_code == 403
