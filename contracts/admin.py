from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.http import authed_user
from core.admin_base import ScopedAdmin

from .actions import EDITABLE_FIELDS, contract_create, contract_update
from .models import Contract


@admin.register(Contract)
class ContractAdmin(ScopedAdmin):
    """Writes go through contracts.actions (validated, audited, re-checked against scope); no deletion:
    an agreement is ended by its status, and what depended on it stays."""

    action_backed = True
    list_display = ["number", "division", "agency", "status", "start_date", "end_date", "procurement_method"]
    list_filter = ["status", "procurement_method"]
    search_fields = ["number", "agency__name", "division__name", "=division__code"]
    list_select_related = ["division", "agency"]
    raw_id_fields = ["division"]
    filter_horizontal = ["stations"]
    date_hierarchy = "start_date"
    # The status moves only through the declared transitions (sign, file, activate, expire, terminate).
    readonly_fields = ["status", "filed_date", "filed_with", "terminated_date", "termination_reason"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Contract, form: Any, change: bool) -> None:
        # The model instance already carries the form's values; the action re-validates and audits them.
        if change:
            data = {name: getattr(obj, name) for name in EDITABLE_FIELDS}
            contract_update(acting_user=authed_user(request), contract=obj, data=data)
        else:
            contract_create(acting_user=authed_user(request), contract=obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if "stations" in form.cleaned_data:
            contract_update(
                acting_user=authed_user(request),
                contract=form.instance,
                data={},
                stations=list(form.cleaned_data["stations"]),
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
