"""API for the service catalogue (public reference data, still read through ``for_user``)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api import ScopedReadOnlyViewSet
from services.filtersets import ServiceItemFilterSet
from services.models import ServiceCatalogue, ServiceDomain, ServiceItem

from .serializers import ServiceCatalogueSerializer, ServiceItemSerializer


@extend_schema_view(
    list=extend_schema(summary="服务项目列表", description="各服务清单中的服务项目及其操作指引。"),
    retrieve=extend_schema(summary="服务项目详情"),
)
@extend_schema(tags=["服务清单"])
class ServiceItemViewSet(ScopedReadOnlyViewSet):
    # Domain and catalogue joined in the page query: no N+1.
    queryset = ServiceItem.objects.select_related("domain__catalogue")
    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet


@extend_schema_view(
    list=extend_schema(summary="服务清单列表", description="服务清单及其服务领域（含各领域服务项目数）。"),
    retrieve=extend_schema(summary="服务清单详情"),
)
@extend_schema(tags=["服务清单"])
class ServiceCatalogueViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceCatalogue.objects.all()
    serializer_class = ServiceCatalogueSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[ServiceCatalogue]:
        # Domains of the whole page in one query, with their item counts annotated (no N+1).
        domains = (
            ServiceDomain.objects.for_user(self.request.user).annotate(item_count=Count("items")).order_by("order")
        )
        return super().get_queryset().prefetch_related(Prefetch("domains", queryset=domains))
