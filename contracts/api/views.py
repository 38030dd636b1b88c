"""API for three-party service contracts: read-only, through ``for_user``."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.api.base import ScopedReadOnlyViewSet
from contracts.models import Contract
from stations.filtersets import CODE_PREFIX_HELP, division_code
from stations.models import Station

from .serializers import ContractSerializer


class ContractFilterSet(django_filters.FilterSet):
    # Kept here until contracts/filtersets.py exists (it belongs to the contracts app owner).
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices, label="状态")
    agency = django_filters.NumberFilter(field_name="agency_id", label="承接主体（机构 id）")
    division = django_filters.CharFilter(method="in_division", label=CODE_PREFIX_HELP, validators=[division_code])
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label="协议编号包含")

    class Meta:
        model = Contract
        fields = ["status", "agency", "division", "q"]

    def in_division(self, queryset: QuerySet[Contract], name: str, value: str) -> QuerySet[Contract]:
        return queryset.filter(division__code__startswith=value)


def contract_queryset() -> QuerySet[Contract]:
    # Parties and division joined in the page query, station ids in one prefetch: no N+1.
    return Contract.objects.select_related("buyer", "township", "agency", "division").prefetch_related(
        Prefetch("stations", queryset=Station.objects.only("id"))
    )


@extend_schema_view(
    list=extend_schema(
        summary="三方服务协议列表", description="当前用户权限范围内的协议；社工机构只看到本机构承接的协议。"
    ),
    retrieve=extend_schema(summary="三方服务协议详情"),
)
@extend_schema(tags=["三方协议"])
class ContractViewSet(ScopedReadOnlyViewSet):
    queryset = contract_queryset()
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
