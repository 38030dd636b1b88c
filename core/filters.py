"""Filters shared by every app's FilterSets. Hierarchy filters are indexed prefix matches on the 12-digit
statistical code (STYLE.md "Tenancy: one door"); they only narrow a queryset already scoped by ``for_user``."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator

CODE_PREFIX_HELP = "区划代码前缀（2/4/6/9/12 位数字），包含其下级区划"
division_code = RegexValidator(r"^\d{2,12}$", "区划代码应为 2–12 位数字。")


def is_code_prefix(value: str) -> bool:
    return value.isdigit() and len(value) <= 12


def subtree_filter(field_name: str = "division__code") -> django_filters.CharFilter:
    """``division=<code prefix>``: rows whose division lies in that subtree (an indexed prefix match)."""
    return django_filters.CharFilter(
        field_name=field_name, lookup_expr="startswith", label=CODE_PREFIX_HELP, validators=[division_code]
    )
