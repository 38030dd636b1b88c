"""Filters of the accounts lists (API and pages), applied to querysets already scoped by for_user."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from accounts.models import Organisation
from core.filters import subtree_filter


class OrganisationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label="类型")
    status = django_filters.ChoiceFilter(choices=Organisation.Status.choices, label="状态")
    division = subtree_filter()
    q = django_filters.CharFilter(method="search", label="名称包含，或统一社会信用代码前缀")

    class Meta:
        model = Organisation
        fields = ["kind", "status", "division", "q"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__istartswith=value))
