"""The second-factor devices in the admin, replacing django-otp's own admin pages.

Only the system administrator sees them, and only to remove a lost authenticator or used-up recovery codes
(the user then sets up a new one at the next login). Nothing is added or edited here: secrets never appear
in the admin, and every removal leaves an audit row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    system_admin_only = True  # the write matrix's admin check: superusers only, removal audited here
    list_display = ["user", "name", "confirmed", "last_used_at", "created_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "name", "confirmed", "last_used_at", "created_at"]
    readonly_fields = ["user", "name", "confirmed", "last_used_at", "created_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _audit_removal(self, request: HttpRequest, obj: Any) -> None:
        audit.record(
            acting_user=request.user,
            event="delete",
            obj=obj,
            object_repr=f"{obj.user}（管理员移除{obj._meta.verbose_name}）",
            changes={"second_factor": {"before": str(obj.name), "after": None}},
            ip=audit.client_ip(request),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_removal(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset.select_related("user"):
            self._audit_removal(request, obj)
        super().delete_queryset(request, queryset)


admin.site.register(TOTPDevice, SecondFactorDeviceAdmin)
admin.site.register(StaticDevice, SecondFactorDeviceAdmin)
