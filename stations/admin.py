from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.http import authed_user
from core import audit
from core.admin_base import ReadOnlyScopedAdmin, ScopedAdmin

from .actions import EDITABLE_FIELDS, station_create, station_update
from .models import Division, Station


@admin.register(Division)
class DivisionAdmin(ReadOnlyScopedAdmin):
    """Reference data from the NBS import (stations.importer); read-only here."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["=code", "name"]
    list_select_related = ["parent"]
    show_full_result_count = False

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)


class StationAdminForm(forms.ModelForm):
    class Meta:
        model = Station
        fields = ["division", "level", *EDITABLE_FIELDS, "covered_townships"]

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if self.instance.pk is not None:
            current = Station.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
            if current:
                try:
                    Station.check_transition(current, status)
                except ValidationError as exc:
                    raise forms.ValidationError(exc.message_dict["status"]) from None
        return status


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    """Writes go through stations.actions (validated, audited, re-checked against scope)."""

    action_backed = True

    form = StationAdminForm
    list_display = ["name", "level", "division", "status", "star_rating", "floor_area", "plaque_date"]
    list_filter = ["level", "status", "star_rating"]
    search_fields = ["name", "address", "division__name", "=division__code"]
    list_select_related = ["division"]
    raw_id_fields = ["division"]
    filter_horizontal = ["covered_townships"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["division", "level"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            station_update(acting_user=authed_user(request), station=obj, data=data)
        else:
            created = station_create(acting_user=authed_user(request), division=obj.division, level=obj.level, **data)
            obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if "covered_townships" in form.cleaned_data:
            # station_update re-reads the row through for_user(user, "change") itself.
            station_update(
                acting_user=authed_user(request),
                station=form.instance,
                data={},
                covered_townships=list(form.cleaned_data["covered_townships"]),
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Station) -> None:
        audit.record(
            acting_user=request.user,
            event="delete",
            obj=obj,
            division_code=obj.division_id,
            changes={"deleted": obj.name},
            ip=audit.client_ip(request),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
