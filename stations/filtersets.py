"""Filters for divisions and stations, shared by the API (and usable by list pages).

Hierarchy filters are prefix matches on the 12-digit statistical code (STYLE.md "Tenancy: one door"),
served by the ``varchar_pattern_ops`` index, never recursive walks. Filters only narrow a queryset that
has already been scoped with ``for_user``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from core.filters import division_code, subtree_filter
from core.filters import is_code_prefix as _digits

from .models import Division, Station


class DivisionFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(
        field_name="parent_id", label="上级区划代码（只列直接下级）", validators=[division_code]
    )
    level = django_filters.TypedChoiceFilter(choices=Division.Level.choices, coerce=int, label="层级")
    q = django_filters.CharFilter(method="search", label="名称包含；为数字时按区划代码前缀匹配")

    class Meta:
        model = Division
        fields = ["parent", "level", "q"]

    def search(self, queryset: QuerySet[Division], name: str, value: str) -> QuerySet[Division]:
        value = value.strip()
        if not value:
            return queryset
        if _digits(value):
            return queryset.filter(code__startswith=value)
        return queryset.filter(name__icontains=value)


class StationFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Station.Level.choices, label="站点层级")
    status = django_filters.ChoiceFilter(choices=Station.Status.choices, label="状态")
    division = subtree_filter()
    q = django_filters.CharFilter(method="search", label="名称或地址包含；为数字时按区划代码前缀匹配")

    class Meta:
        model = Station
        fields = ["level", "status", "division", "q"]

    def search(self, queryset: QuerySet[Station], name: str, value: str) -> QuerySet[Station]:
        value = value.strip()
        if not value:
            return queryset
        if _digits(value):
            return queryset.filter(division__code__startswith=value)
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))
