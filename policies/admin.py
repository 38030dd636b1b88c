from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyScopedAdmin

from .models import Policy, PolicyPreset, PolicyRule


class PolicyRuleInline(admin.TabularInline):
    model = PolicyRule
    fields = ("key", "value", "strength", "condition", "not_applicable", "clause", "quote", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyScopedAdmin):
    """Policies change only in the policy editor (/policies/edit/) or from presets: audited actions."""

    list_display = ["name", "division", "issuer", "year", "seed", "preset"]
    search_fields = ["name", "issuer", "division__name", "=division__code"]
    list_select_related = ["division"]
    inlines = [PolicyRuleInline]


@admin.register(PolicyRule)
class PolicyRuleAdmin(ReadOnlyScopedAdmin):
    list_display = ["key", "policy", "value", "strength", "not_applicable", "clause"]
    list_filter = ["policy", "strength", "not_applicable"]
    search_fields = ["key", "clause", "quote"]
    list_select_related = ["policy"]


@admin.register(PolicyPreset)
class PolicyPresetAdmin(ReadOnlyScopedAdmin):
    """Presets come from policies/data/presets (``load_presets``); a bureau adopts one in the policy editor."""

    list_display = ["name", "code", "issuer", "year", "division_code", "binding"]
    search_fields = ["name", "code", "issuer"]
