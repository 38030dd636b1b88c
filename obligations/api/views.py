"""API: /api/v1/obligations/ (scoped: what the user's organisation owes or must watch) and
/api/v1/notifications/ (the user's own inbox). Read-only viewsets; the only writes are POST actions that call
obligations.actions (waive, mark read), so nothing is written around an action."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import authed_user
from core.api import ScopedReadOnlyViewSet
from obligations.actions import notification_mark_read, notifications_mark_all_read, obligation_waive
from obligations.filtersets import NotificationFilterSet, ObligationFilterSet
from obligations.models import Notification, Obligation

from .serializers import NotificationSerializer, ObligationSerializer, WaiveSerializer


@extend_schema_view(
    list=extend_schema(
        summary="待办事项列表",
        description="本单位应办理或应督办的事项。筛选：state（可多选）、kind、due_before、due_after、division（区划代码前缀）。",
    ),
    retrieve=extend_schema(summary="待办事项详情"),
)
@extend_schema(tags=["待办与消息"])
class ObligationViewSet(ScopedReadOnlyViewSet):
    queryset = Obligation.objects.select_related("owner", "content_type").order_by("due_date", "pk")
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet
    write_actions = {"waive": "obligations.waive"}

    @extend_schema(summary="免除事项", request=WaiveSerializer, responses=ObligationSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        payload = WaiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            # The action loads the obligation through for_user(user, "change"): out of scope is 404.
            obligation = obligation_waive(
                acting_user=authed_user(request),
                obligation_id=cast(Any, pk),
                reason=payload.validated_data["reason"],
                request=request,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        fresh = self.queryset.all().for_user(request.user).get(pk=obligation.pk)  # type: ignore[attr-defined]
        return Response(ObligationSerializer(fresh).data)


@extend_schema_view(
    list=extend_schema(summary="我的消息", description="只含本人的消息。筛选：unread=true 只看未读。"),
    retrieve=extend_schema(summary="消息详情"),
)
@extend_schema(tags=["待办与消息"])
class NotificationViewSet(ScopedReadOnlyViewSet):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    write_actions = {"read": "obligations.notification_read", "read_all": "obligations.notifications_read_all"}

    def get_queryset(self) -> QuerySet[Notification]:
        return super().get_queryset().order_by("-created_at", "-pk")

    @extend_schema(summary="标为已读", request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = notification_mark_read(
            acting_user=authed_user(request), notification_id=cast(Any, pk), request=request
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary="全部标为已读", request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(acting_user=authed_user(request), request=request)})
