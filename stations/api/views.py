"""API for divisions and stations. Every queryset goes through ``for_user`` (accounts/api/base.py);
writes go through ``stations.actions``. Out of scope is 404."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import authed_user
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, translate_django_errors
from core.scoping import ScopedQuerySet
from stations.actions import station_update
from stations.filtersets import DivisionFilterSet, StationFilterSet
from stations.models import Division, Station

from .serializers import DivisionSerializer, StationSerializer, StationUpdateSerializer, with_has_children


@extend_schema_view(
    list=extend_schema(
        summary="行政区划列表", description="当前用户权限范围内的行政区划（含上级区划，便于展示路径）。"
    ),
    retrieve=extend_schema(summary="行政区划详情"),
)
@extend_schema(tags=["行政区划"])
class DivisionViewSet(ScopedReadOnlyViewSet):
    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet
    lookup_field = "code"
    lookup_value_regex = r"\d{2,12}"

    def get_queryset(self) -> QuerySet[Division]:
        # has_children is one EXISTS subquery per row inside the same SELECT: no N+1.
        return with_has_children(super().get_queryset(), self.request.user)


def station_queryset() -> ScopedQuerySet:
    # One query for the page (division joined), one for all covered townships of the page: no N+1.
    queryset = Station.objects.select_related("division").prefetch_related(
        Prefetch("covered_townships", queryset=Division.objects.only("code"))
    )
    return cast(ScopedQuerySet, queryset)  # select_related/prefetch_related keep the ScopedQuerySet class


@extend_schema_view(
    list=extend_schema(summary="社工站列表", description="当前用户权限范围内的社工站。"),
    retrieve=extend_schema(summary="社工站详情"),
    partial_update=extend_schema(
        summary="修改社工站",
        description="仅县级民政局可修改本县站点；状态只能按“规划中→筹建中→运营中→暂停/关闭”流转。修改记入审计日志。",
        request=StationUpdateSerializer,
        responses=StationSerializer,
    ),
)
@extend_schema(tags=["社工站"])
class StationViewSet(ScopedModelViewSet):
    queryset = station_queryset()
    serializer_class = StationSerializer
    filterset_class = StationFilterSet
    # Read, plus PATCH for county bureaus (STYLE.md: the view validates and calls the action).
    http_method_names = ["get", "patch", "head", "options"]
    write_actions = {"partial_update": station_update}

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.request is not None and self.request.method == "PATCH":
            return StationUpdateSerializer
        return StationSerializer

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # get_object() goes through for_user(user, "change"): out of the writable scope is 404.
        station = cast(Station, self.get_object())
        payload = StationUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data, covered = StationUpdateSerializer.split(payload.validated_data)
        try:
            station_update(acting_user=authed_user(request), station=station, data=data, covered_townships=covered)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise translate_django_errors(exc) from exc
        fresh = station_queryset().for_user(request.user).with_permissions(request.user, ["change"]).get(pk=station.pk)
        return Response(StationSerializer(fresh, context=self.get_serializer_context()).data)
