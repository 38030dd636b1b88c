"""Admin of the ground floor: the site's titles and the read-only audit trail."""

from __future__ import annotations

from django.contrib import admin

from .admin_base import ReadOnlyScopedAdmin
from .models import AuditLog
from .personal.admin_filters import SubjectFilter

admin.site.site_header = "站务 · 系统管理"
admin.site.site_title = "站务"
admin.site.index_title = "数据管理"


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyScopedAdmin):
    """Append-only: nobody adds, changes or deletes audit rows here."""

    list_display = [
        "at",
        "username",
        "organisation_id",
        "event",
        "object_type",
        "object_repr",
        "division_code",
        "subject_id",
        "ip",
        "success",
    ]
    list_filter = [SubjectFilter, "event", "success", "object_type", "subject_type"]
    search_fields = ["username", "object_repr", "object_id", "division_code", "subject_id"]
    date_hierarchy = "at"
