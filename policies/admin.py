from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyScopedAdmin

from .models import Policy, PolicyRule


class PolicyRuleInline(admin.TabularInline):
    model = PolicyRule
    fields = ("key", "value", "clause", "quote", "note")
    readonly_fields = ("key", "value", "clause", "quote", "note")
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
    list_display = ["key", "policy", "value", "clause"]
    list_filter = ["policy"]
    search_fields = ["key", "clause", "quote"]
    list_select_related = ["policy"]
