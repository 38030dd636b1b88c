"""Filters of the contracts lists (API and pages), applied to querysets already scoped by for_user."""

from __future__ import annotations

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet

from contracts.models import Contract, Procurement
from core.filters import subtree_filter

# A year is a four-digit year: anything else is a Chinese 400, never a database error (issue 7).
YEAR_BOUNDS = [
    MinValueValidator(1900, message="年度应在 1900 到 2199 之间。"),
    MaxValueValidator(2199, message="年度应在 1900 到 2199 之间。"),
]


class ContractFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="status", choices=Contract.Status.choices, label="状态")
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices, label="状态（同 state）")
    agency = django_filters.NumberFilter(field_name="agency_id", label="承接主体（机构 id）")
    township = django_filters.NumberFilter(field_name="township_id", label="项目落地方（乡镇人民政府机构 id）")
    division = subtree_filter()
    year = django_filters.NumberFilter(
        method="filter_year", label="服务年度（服务期与该年有交集）", validators=YEAR_BOUNDS
    )
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label="协议编号包含")

    class Meta:
        model = Contract
        fields = ["state", "status", "agency", "township", "division", "year", "q"]

    def filter_year(self, queryset: QuerySet[Contract], name: str, value: int | None) -> QuerySet[Contract]:
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(Q(start_date__year__lte=year) & Q(end_date__year__gte=year))


class ProcurementFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="status", choices=Procurement.Status.choices, label="状态")
    method = django_filters.ChoiceFilter(choices=Procurement._meta.get_field("method").choices, label="采购方式")
    division = subtree_filter()
    year = django_filters.NumberFilter(field_name="announced_date__year", label="公告年度", validators=YEAR_BOUNDS)

    class Meta:
        model = Procurement
        fields = ["state", "method", "division", "year"]
