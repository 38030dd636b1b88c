"""Audit admin: filter the trail by the person whose data an event touched (``?subject=<public id>``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class SubjectFilter(admin.SimpleListFilter):
    """A text box: the public id (编号) of a person; shows every unmask, export and change about them."""

    title = "当事人编号"
    parameter_name = "subject"
    template = "admin/subject_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # One placeholder choice so Django renders the filter; the template shows a text box instead.
        return [("", "")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = (self.value() or "").strip()
        return queryset.filter(subject_id=value) if value else queryset

    def choices(self, changelist: Any) -> Any:
        yield {
            "value": self.value() or "",
            "parameter_name": self.parameter_name,
            "others": [
                (key, value)
                for key, values in changelist.get_filters_params().items()
                if key != self.parameter_name
                for value in (values if isinstance(values, list) else [values])
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }
