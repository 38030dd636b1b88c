"""core/admin_base.py piece by piece: what each part of the scoped admin decides, checked on the demo data.

Scope (which rows), ordering (the admin's, not the model's), paging, inlines, permissions, the delete
protection's counts and the audit rows of AuditedScopedAdmin.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from accounts.models import User
from contracts.models import Contract
from core.admin_base import (
    AuditedScopedAdmin,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    ScopedInline,
    ScopedRelatedFieldListFilter,
    dependents,
    scoped_list_filter,
)
from core.models import AuditLog
from staffing.models import StaffingCheck
from stations.models import COUNTY_WRITERS, Division, Station

pytestmark = pytest.mark.django_db

# An ordering no model declares, so that "the admin's ordering" and "the model's" give different lists.
ADMIN_ORDERING = ["-name", "-pk"]


def request_for(username: str) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username=username)
    return request


def station_admin() -> ScopedAdmin:
    return admin.site.get_model_admin(Station)  # type: ignore[return-value]


@pytest.fixture
def outside_station(demo: None) -> Station:
    """A county headquarters in 白沙 (Hainan), outside every Datian account's scope."""
    return Station.objects.create(
        division=Division.objects.get(code="469025"),
        level=Station.Level.COUNTY_HQ,
        name="白沙黎族自治县社会工作服务总站",
    )


# --- sidebar filters ------------------------------------------------------------------------------


def test_a_relation_filter_lists_only_in_scope_rows_in_the_admins_ordering(
    outside_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(station_admin(), "ordering", ADMIN_ORDERING)
    request = request_for("datian_bureau")
    field = Contract._meta.get_field("stations")
    contract_admin = admin.site.get_model_admin(Contract)
    choices = ScopedRelatedFieldListFilter(field, request, {}, Contract, contract_admin, "stations").lookup_choices
    in_scope = Station.objects.for_user(request.user, "view")
    expected = [(str(s.pk), str(s)) for s in in_scope.order_by(*ADMIN_ORDERING)]
    assert len(expected) > 1
    assert expected != [(str(s.pk), str(s)) for s in in_scope]  # the model's own ordering differs
    assert choices == expected
    assert str(outside_station.pk) not in {pk for pk, _ in choices}


@pytest.mark.parametrize("given", [admin.RelatedFieldListFilter, admin.RelatedOnlyFieldListFilter])
def test_a_relation_filter_named_with_djangos_class_is_scoped(given: type) -> None:
    assert scoped_list_filter(Contract, ("stations", given)) == ("stations", ScopedRelatedFieldListFilter)
    assert scoped_list_filter(Contract, "stations") == ("stations", ScopedRelatedFieldListFilter)


def test_a_relation_filter_with_its_own_class_or_a_plain_field_is_kept() -> None:
    entry = ("stations", admin.AllValuesFieldListFilter)
    assert scoped_list_filter(Contract, entry) is entry
    assert scoped_list_filter(Contract, "status") == "status"
    assert scoped_list_filter(Contract, ("status", admin.ChoicesFieldListFilter)) == (
        "status",
        admin.ChoicesFieldListFilter,
    )


# --- lists -----------------------------------------------------------------------------------------


def test_admin_lists_show_fifty_rows_a_page(user_client) -> None:  # type: ignore[no-untyped-def]
    response = user_client("admin").get("/admin/stations/division/")
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count > 50
    assert len(changelist.result_list) == 50


def test_the_admin_queryset_is_scoped_and_in_the_admins_ordering(
    outside_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(station_admin(), "ordering", ADMIN_ORDERING)
    request = request_for("datian_bureau")
    rows = list(station_admin().get_queryset(request))
    in_scope = Station.objects.for_user(request.user, "view")
    assert rows == list(in_scope.order_by(*ADMIN_ORDERING))
    assert rows != list(in_scope)  # the model's own ordering differs
    assert outside_station not in rows


# --- permissions -------------------------------------------------------------------------------------


def test_a_staff_account_without_the_model_permission_cannot_open_an_in_scope_row(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau")  # staff, no station permission
    user = User.objects.get(username="datian_bureau")
    station = Station.objects.for_user(user, "change").first()
    assert station is not None
    assert client.get(f"/admin/stations/station/{station.pk}/change/").status_code == 403
    request = request_for("datian_bureau")
    model_admin = station_admin()
    assert model_admin.has_view_permission(request, station) is False
    assert model_admin.has_change_permission(request, station) is False


def test_a_row_seen_but_not_changeable_is_read_only(staff_client) -> None:  # type: ignore[no-untyped-def]
    # A township sees its stations but only the county bureau changes them (Station.scoping writers).
    client = staff_client("junxi_town", "view_station", "change_station")
    user = User.objects.get(username="junxi_town")
    station = Station.objects.for_user(user, "view").first()
    assert station is not None and not Station.objects.for_user(user, "change").filter(pk=station.pk).exists()
    response = client.get(f"/admin/stations/station/{station.pk}/change/")
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.post(f"/admin/stations/station/{station.pk}/change/", {"name": "改名"}).status_code == 403
    station.refresh_from_db()
    assert station.name != "改名"
    request = request_for("junxi_town")
    assert station_admin().has_change_permission(request, station) is False
    assert station_admin().has_view_permission(request, station) is True


def test_read_only_admins_allow_no_add_change_or_delete_even_to_the_system_administrator(demo: None) -> None:
    request = request_for("admin")
    model_admin = admin.site.get_model_admin(Division)
    assert isinstance(model_admin, ReadOnlyScopedAdmin)
    division = Division.objects.get(code="469025")
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, division) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, division) is False


def test_read_only_admin_pages_refuse_writes(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    assert client.get("/admin/stations/division/add/").status_code == 403
    assert client.post("/admin/stations/division/469025/change/", {"name": "改名"}).status_code == 403
    assert client.get("/admin/stations/division/469025/delete/").status_code == 403
    assert Division.objects.get(code="469025").name != "改名"


# --- delete protection -------------------------------------------------------------------------------


def test_dependents_count_one_to_one_rows_once_and_read_past_hidden_relations(demo: None) -> None:
    # Station's reverse relations list the amendments' hidden many-to-many ("+") before staffing_check.
    names = [rel.get_accessor_name() for rel in Station._meta.related_objects]
    hidden = [i for i, rel in enumerate(Station._meta.related_objects) if rel.hidden]
    assert hidden and max(hidden) < names.index("staffing_check")
    check = StaffingCheck.objects.select_related("station").first()
    assert check is not None
    lines = dependents(check.station)
    assert f"{StaffingCheck._meta.verbose_name}：1 条" in lines


def test_a_station_nothing_rests_on_has_no_dependents(outside_station: Station) -> None:
    assert dependents(outside_station) == []


# --- inlines -----------------------------------------------------------------------------------------


class StationInline(ScopedInline):
    model = Station
    fk_name = "division"
    fields = ["name"]


def test_an_inline_shows_only_in_scope_rows_and_no_blank_form(outside_station: Station) -> None:
    request = request_for("datian_bureau")
    inline = StationInline(Division, admin.site)
    in_scope = Station.objects.for_user(request.user, "view")
    assert in_scope.exists()
    assert set(inline.get_queryset(request)) == set(in_scope)
    assert outside_station not in set(inline.get_queryset(request))

    superuser = request_for("admin")
    division = Station.objects.first().division  # type: ignore[union-attr]
    formset = inline.get_formset(superuser, division)(instance=division, queryset=inline.get_queryset(superuser))
    assert formset.extra_forms == []
    assert len(formset.forms) == Station.objects.filter(division=division).count()


# --- audit of AuditedScopedAdmin ---------------------------------------------------------------------


def audited_station_admin() -> AuditedScopedAdmin:
    return AuditedScopedAdmin(Station, admin.site)


def audit_rows(station: Station) -> Any:
    return AuditLog.objects.filter(object_type="stations.Station", object_id=str(station.pk)).order_by("pk")


def test_saving_audits_exactly_the_changed_fields(demo: None) -> None:
    request = request_for("datian_bureau")
    station = Station.objects.for_user(request.user, "change").first()
    assert station is not None
    old_name = station.name
    station.name = old_name + "（更名）"
    audited_station_admin().save_model(request, station, None, True)
    rows = list(audit_rows(station))
    assert len(rows) == 1
    assert rows[0].event == "update"
    assert rows[0].changes == {"name": {"before": old_name, "after": old_name + "（更名）"}}
    station.refresh_from_db()
    assert station.name == old_name + "（更名）"


def test_saving_without_a_change_writes_no_audit_row(demo: None) -> None:
    request = request_for("datian_bureau")
    station = Station.objects.for_user(request.user, "change").first()
    assert station is not None
    audited_station_admin().save_model(request, station, None, True)
    assert not audit_rows(station).exists()


def test_adding_audits_the_new_row_without_timestamps(demo: None) -> None:
    division = Division.objects.get(code="469025")
    station = Station(division=division, level=Station.Level.COUNTY_HQ, name="新站")
    request = request_for("admin")
    audited_station_admin().save_model(request, station, None, False)
    rows = list(audit_rows(station))
    assert len(rows) == 1 and rows[0].event == "create"
    assert rows[0].changes["name"] == {"before": None, "after": "新站"}
    assert not {"created_at", "updated_at"} & set(rows[0].changes)


def test_saving_a_row_out_of_the_users_scope_is_refused(outside_station: Station) -> None:
    request = request_for("datian_bureau")
    outside_station.name = "改名"
    with pytest.raises(PermissionDenied):
        audited_station_admin().save_model(request, outside_station, None, True)


def test_the_scope_check_after_saving_uses_add_for_a_new_row_and_change_for_an_existing_one(
    demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rule where the county bureau may add stations but not change them.
    monkeypatch.setattr(Station, "scoping", dataclasses.replace(Station.scoping, writers={"add": COUNTY_WRITERS}))
    request = request_for("datian_bureau")
    existing = Station.objects.for_user(request.user, "view").first()
    assert existing is not None
    model_admin = audited_station_admin()
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, existing, None, True)
    # The same row saved as an addition passes: the check after saving asks the add scope, which holds it.
    model_admin.save_model(request, existing, None, False)


class ContractStationsForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["stations"]


def save_stations(contract: Contract, stations: list[Station], change: bool = True) -> None:
    form = ContractStationsForm(data={"stations": [s.pk for s in stations]}, instance=contract)
    assert form.is_valid(), form.errors
    form.save(commit=False)
    AuditedScopedAdmin(Contract, admin.site).save_related(request_for("admin"), form, [], change)


def contract_rows(contract: Contract) -> Any:
    return AuditLog.objects.filter(object_type="contracts.Contract", object_id=str(contract.pk)).order_by("pk")


def test_many_to_many_changes_are_audited_as_sorted_pk_strings(demo: None) -> None:
    contract = Contract.objects.filter(stations__isnull=False).distinct().first()
    assert contract is not None
    before = sorted(contract.stations.all(), key=lambda s: str(s.pk))
    extra = Station.objects.exclude(pk__in=[s.pk for s in before]).order_by("-pk")[:2]
    after = [*before[1:], *extra]
    save_stations(contract, after)
    rows = list(contract_rows(contract))
    assert len(rows) == 1 and rows[0].event == "update"
    assert rows[0].changes == {
        "stations": {
            "before": sorted(str(s.pk) for s in before),
            "after": sorted(str(s.pk) for s in after),
        }
    }
    assert set(contract.stations.all()) == set(after)


def test_many_to_many_unchanged_or_on_a_new_row_writes_no_audit_row(demo: None) -> None:
    contract = Contract.objects.filter(stations__isnull=False).distinct().first()
    assert contract is not None
    save_stations(contract, list(contract.stations.all()))
    assert not contract_rows(contract).exists()
    # On an add the creation row already says everything: no separate many-to-many row.
    save_stations(contract, list(contract.stations.all()[:1]), change=False)
    assert not contract_rows(contract).exists()
