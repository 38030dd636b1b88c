"""Admin pages for ``PersonalRecord`` models: personal fields are shown masked and read-only, the hash columns
are hidden. The admin is not a way around the unmask action: clear values are read and written on the app's
own pages, through its actions, with a stated reason."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html_join

from .fields import encrypted_fields, lookup_fields


class PersonalAdminMixin:
    model: type[models.Model]

    def get_exclude(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        exclude = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        hidden = [f.name for f in (*encrypted_fields(self.model), *lookup_fields(self.model))]
        return [*exclude, *hidden]

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "masked_personal_data"]  # type: ignore[misc]

    @admin.display(description="个人信息（部分隐藏）")
    def masked_personal_data(self, obj: Any) -> str:
        rows = [(f.verbose_name, obj.masked(f.name) or "—") for f in encrypted_fields(self.model)]
        return format_html_join("", "<div>{}：<span style='font-family: monospace'>{}</span></div>", rows)
