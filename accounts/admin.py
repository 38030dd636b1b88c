from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from core import audit
from core.admin_base import AuditedScopedAdmin, scoped
from core.scoping import Action

from .models import Organisation, User


class SystemAdminOnly:
    """Accounts and organisations are managed by the system administrator alone (三员分立, SECURITY.md);
    nothing is deleted: audit rows keep pointing at them, so they are deactivated instead."""

    system_admin_only = True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(SystemAdminOnly, AuditedScopedAdmin):
    list_display = ["name", "kind", "division", "rating", "is_local", "status"]
    list_filter = ["kind", "status", "rating"]
    search_fields = ["name", "credit_code", "division__name", "division__code"]
    list_select_related = ["division"]
    raw_id_fields = ["division"]

    def audit_division(self, obj: Any) -> str:
        return obj.division_id or ""


@admin.register(User)
class UserAdmin(SystemAdminOnly, DjangoUserAdmin):
    """Django's user admin with the organisation and position; lists only users of organisations in scope."""

    list_display = ["username", "full_name", "organisation", "position", "is_active", "last_login"]
    list_filter = ["position", "is_active", "is_staff", "organisation__kind"]
    search_fields = ["username", "full_name", "organisation__name"]
    list_select_related = ["organisation"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        ("所属机构与岗位", {"fields": ("organisation", "position", "village")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("所属机构与岗位", {"fields": ("full_name", "organisation", "position")}),
    )
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    # A village is checked by User.clean (a village of the organisation's township); typed as its code.
    raw_id_fields = ["village"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        organisations = Organisation.objects.for_user(request.user, Action.VIEW)
        return qs.filter(organisation__in=organisations, is_superuser=False)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Only system administrators grant administrator rights or raw permissions.
        return [
            (
                name,
                {
                    **opts,
                    "fields": tuple(
                        f for f in opts["fields"] if f not in ("is_superuser", "groups", "user_permissions")
                    ),
                },
            )
            for name, opts in fieldsets
        ]

    AUDITED = [
        "username",
        "full_name",
        "phone",
        "email",
        "organisation_id",
        "position",
        "village_id",
        "is_active",
        "is_staff",
        "is_superuser",
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit.snapshot(User.objects.get(pk=obj.pk), self.AUDITED) if change else {}
        super().save_model(request, obj, form, change)
        changes = audit.diff(before, audit.snapshot(obj, self.AUDITED))
        if changes:
            audit.record(
                acting_user=request.user,
                event="update" if change else "create",
                obj=obj,
                division_code=getattr(obj.organisation, "division_id", "") or "",
                changes=changes,
                ip=audit.client_ip(request),
            )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = User.objects.get(pk=id)
            audit.record(
                acting_user=request.user,
                event="update",
                obj=target,
                changes={"password": {"before": "******", "after": "****** (已重置)"}},
                ip=audit.client_ip(request),
            )
        return response

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            qs = scoped(Organisation, request, Action.VIEW)
            if qs is not None and not request.user.is_superuser:
                kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


from . import admin_otp  # noqa: E402, F401  (the second-factor devices: accounts/admin_otp.py)
