from __future__ import annotations

from typing import Any

from django.contrib import admin

from core.admin_base import AuditedScopedAdmin

from .models import Contract


@admin.register(Contract)
class ContractAdmin(AuditedScopedAdmin):
    """Contracts have no actions module yet: the admin audits each write and re-checks the scope after it."""

    list_display = ["number", "division", "agency", "status", "start_date", "end_date", "procurement_method"]
    list_filter = ["status", "procurement_method"]
    search_fields = ["number", "agency__name", "division__name", "=division__code"]
    list_select_related = ["division", "agency"]
    raw_id_fields = ["division"]
    filter_horizontal = ["stations"]
    date_hierarchy = "start_date"

    def audit_division(self, obj: Any) -> str:
        return obj.division_id or ""
