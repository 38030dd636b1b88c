"""The calendar in the Django admin: read-only (the administrator enters a year on /calendar/arrangement/,
which validates the whole year and writes the audit row)."""

from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyScopedAdmin, ScopedInline

from .models import CalendarDay, CalendarYear


class CalendarDayInline(ScopedInline):
    model = CalendarDay
    fields = ["date", "kind", "name"]
    readonly_fields = ["date", "kind", "name"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyScopedAdmin):
    list_display = ["year", "notice", "complete", "origin", "updated_at"]
    list_filter = ["complete", "origin"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyScopedAdmin):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["name"]
    date_hierarchy = "date"
