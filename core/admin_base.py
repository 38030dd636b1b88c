"""The admin site goes through the same door as every other page (STYLE.md "Tenancy: one door").

``ScopedAdmin`` lists only ``Model.objects.for_user(request.user, "view")``, offers only in-scope rows in
foreign-key and many-to-many dropdowns, and allows change/delete of an object only when it is in the
user's ``change``/``delete`` scope. System administrators (superusers) see everything, as ``for_user`` says.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from . import audit
from .scoping import Action, scope_of


def scoped(model: Any, request: HttpRequest, action: str = Action.VIEW) -> QuerySet | None:
    """``model.objects.for_user`` when the model is tenant-scoped, else None."""
    manager = getattr(model, "objects", None)
    if manager is None or not hasattr(manager, "for_user"):
        return None
    return manager.for_user(request.user, action)


class ScopedChoicesMixin:
    """Foreign-key and many-to-many dropdowns offer only rows in the user's scope."""

    def _limit(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        if "queryset" not in kwargs:
            qs = scoped(db_field.remote_field.model, request, Action.VIEW)
            if qs is not None:
                kwargs["queryset"] = qs

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A sidebar filter on a relation offers only the related rows in the user's scope (``for_user``)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        qs = scoped(field.related_model, request, Action.VIEW)
        if qs is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(str(obj.pk), str(obj)) for obj in (qs.order_by(*ordering) if ordering else qs)]


def scoped_list_filter(model: Any, entry: Any) -> Any:
    """A ``list_filter`` entry with relation filters replaced by ScopedRelatedFieldListFilter."""
    if isinstance(entry, str):
        name, filter_class = entry, None
    elif isinstance(entry, tuple):
        name, filter_class = entry
    else:
        return entry  # a SimpleListFilter subclass: it writes its own lookups
    try:
        field = get_fields_from_path(model, name)[-1]
    except (FieldDoesNotExist, admin.utils.NotRelationField):
        return entry
    if not field.is_relation:
        return entry
    if filter_class is None or filter_class in (admin.RelatedFieldListFilter, admin.RelatedOnlyFieldListFilter):
        return (name, ScopedRelatedFieldListFilter)
    return entry


def dependents(obj: models.Model) -> list[str]:
    """What other records rest on ``obj`` (reverse foreign keys and many-to-many), one line per kind."""
    out = []
    for rel in obj._meta.related_objects:
        accessor = rel.get_accessor_name()
        if accessor is None or rel.related_model is None or rel.hidden:
            continue  # hidden reverse relations (related_name="+") have no accessor on the object
        if rel.one_to_one:
            found = rel.related_model._default_manager.filter(**{rel.field.name: obj}).exists()
            count = 1 if found else 0
        else:
            count = getattr(obj, accessor).count()
        if count:
            out.append(f"{rel.related_model._meta.verbose_name}：{count} 条")
    return out


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_per_page = 50

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [scoped_list_filter(self.model, entry) for entry in super().get_list_filter(request)]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = scoped(self.model, request, Action.VIEW)
        if qs is None:
            return self.model._default_manager.none()
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def _in_scope(self, request: HttpRequest, obj: models.Model | None, action: str) -> bool:
        if obj is None:
            return True
        qs = scoped(self.model, request, action)
        return qs is not None and qs.filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        rule = getattr(self.model, "scoping", None)
        may = rule is None or rule.may(scope_of(request.user).role, Action.ADD)
        return bool(super().has_add_permission(request, *args) and may)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_view_permission(request, obj) and self._in_scope(request, obj, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj, Action.CHANGE)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # A row other records rest on (a station in contracts or granted to an evaluator) is never deleted
        # here: deleting it would silently drop it from those records.
        return (
            super().has_delete_permission(request, obj)
            and self._in_scope(request, obj, Action.DELETE)
            and (obj is None or not dependents(obj))
        )

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        """The bulk "delete selected" action refuses rows with dependents the same way (shown as protected)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            protected.extend(f"{obj}（{line}）" for line in dependents(obj))
        return deleted, counts, perms_needed, protected


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """Inline rows: dropdowns limited through ``for_user`` like ScopedAdmin."""

    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = scoped(self.model, request, Action.VIEW)
        return qs if qs is not None else self.model._default_manager.none()


class AuditedScopedAdmin(ScopedAdmin):
    """Admin writes for models without an actions module: one audit row per change, re-checked against scope."""

    def audit_division(self, obj: models.Model) -> str:
        return ""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        fields = [f.attname for f in obj._meta.concrete_fields if f.attname not in ("created_at", "updated_at")]
        before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk), fields) if change else {}
        super().save_model(request, obj, form, change)
        changes = audit.diff(before, audit.snapshot(obj, fields))
        if changes:
            audit.record(
                acting_user=request.user,
                event="update" if change else "create",
                obj=obj,
                division_code=self.audit_division(obj),
                changes=changes,
                ip=audit.client_ip(request),
            )
        if not self._in_scope(request, obj, Action.CHANGE if change else Action.ADD):
            raise PermissionDenied("保存后的记录不在您的权限范围内。")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Many-to-many changes (a contract's stations decide what an agency sees) get their own audit row."""
        obj = form.instance
        m2m = [f.name for f in obj._meta.many_to_many]
        before = {name: sorted(str(pk) for pk in getattr(obj, name).values_list("pk", flat=True)) for name in m2m}
        super().save_related(request, form, formsets, change)
        after = {name: sorted(str(pk) for pk in getattr(obj, name).values_list("pk", flat=True)) for name in m2m}
        changes = audit.diff(before, after)
        if changes and change:
            audit.record(
                acting_user=request.user,
                event="update",
                obj=obj,
                division_code=self.audit_division(obj),
                changes=changes,
                ip=audit.client_ip(request),
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit.record(
            acting_user=request.user,
            event="delete",
            obj=obj,
            division_code=self.audit_division(obj),
            changes={"deleted": str(obj)},
            ip=audit.client_ip(request),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Reference data or rows written only through actions: the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
