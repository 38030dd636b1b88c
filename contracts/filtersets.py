"""Filters of the contracts lists (API and pages), applied to querysets already scoped by for_user."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from contracts.models import Contract
from stations.filtersets import CODE_PREFIX_HELP, division_code


class ContractFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices, label="状态")
    agency = django_filters.NumberFilter(field_name="agency_id", label="承接主体（机构 id）")
    division = django_filters.CharFilter(method="in_division", label=CODE_PREFIX_HELP, validators=[division_code])
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label="协议编号包含")

    class Meta:
        model = Contract
        fields = ["status", "agency", "division", "q"]

    def in_division(self, queryset: QuerySet[Contract], name: str, value: str) -> QuerySet[Contract]:
        return queryset.filter(division__code__startswith=value)
