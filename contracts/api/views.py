"""API for three-party service contracts: read-only, through ``for_user``."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from contracts.filtersets import ContractFilterSet
from contracts.models import Contract
from core.api import ScopedReadOnlyViewSet
from stations.models import Station

from .serializers import ContractSerializer


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
