"""Filters for the service catalogue (reference data: every known role sees all of it)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from .models import ServiceItem


class ServiceItemFilterSet(django_filters.FilterSet):
    catalogue = django_filters.CharFilter(field_name="domain__catalogue__code", label="服务清单代码")
    domain = django_filters.CharFilter(field_name="domain__code", label="服务领域代码")
    q = django_filters.CharFilter(method="search", label="编号前缀，或名称、服务对象、操作指引包含")

    class Meta:
        model = ServiceItem
        fields = ["catalogue", "domain", "q"]

    def search(self, queryset: QuerySet[ServiceItem], name: str, value: str) -> QuerySet[ServiceItem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__istartswith=value)
            | Q(name__icontains=value)
            | Q(targets__icontains=value)
            | Q(guideline__icontains=value)
        )
