"""Filters of the contracts lists (API and pages), applied to querysets already scoped by for_user."""

from __future__ import annotations

import django_filters

from contracts.models import Contract
from core.filters import subtree_filter


class ContractFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices, label="状态")
    agency = django_filters.NumberFilter(field_name="agency_id", label="承接主体（机构 id）")
    division = subtree_filter()
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label="协议编号包含")

    class Meta:
        model = Contract
        fields = ["status", "agency", "division", "q"]
