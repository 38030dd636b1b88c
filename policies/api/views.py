"""API for policies: the stored policy of each division, and the effective (inherited) policy of a division."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet
from policies.filtersets import PolicyFilterSet
from policies.models import Policy, PolicyRule
from policies.policy import effective_policy
from stations.api.serializers import with_has_children
from stations.models import Division

from .serializers import EffectivePolicySerializer, PolicySerializer

DIVISION_PARAM = OpenApiParameter(
    "division",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    description="区划代码（须在当前用户权限范围内），如 350425 或 350425100",
    # The lengths the view accepts (2, 4, 6, 9 or 12 digits), so "000" is refused by both.
    pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$",
)


@extend_schema_view(
    list=extend_schema(summary="政策方案列表", description="本级及上级区划的政策方案（上级取值向下继承）。"),
    retrieve=extend_schema(summary="政策方案详情"),
)
@extend_schema(tags=["政策"])
class PolicyViewSet(ScopedReadOnlyViewSet):
    queryset = Policy.objects.select_related("division")
    serializer_class = PolicySerializer
    filterset_class = PolicyFilterSet

    def get_queryset(self) -> QuerySet[Policy]:
        # Rules of the whole page in one prefetch query, through the same door.
        rules = PolicyRule.objects.for_user(self.request.user).order_by("key")
        return super().get_queryset().prefetch_related(Prefetch("rules", queryset=rules))

    @extend_schema(
        summary="区划的生效政策",
        description=(
            "逐条列出该区划生效的政策取值：取值来自哪一级区划的哪个方案、依据哪一条款，"
            "以及被它覆盖的上级取值。未规定的规则 value 与 source 为 null。"
        ),
        parameters=[DIVISION_PARAM],
        filters=False,
        responses={
            200: EffectivePolicySerializer,
            400: OpenApiResponse(description="缺少或错误的 division 参数"),
            404: OpenApiResponse(description="区划不存在或不在权限范围内"),
        },
    )
    @action(detail=False, methods=["get"], url_path="effective", pagination_class=None, filterset_class=None)
    def effective(self, request: Request) -> Response:
        code = (request.query_params.get("division") or "").strip()
        if not code:
            raise ValidationError({"division": ["请提供区划代码（division 参数）。"]})
        if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
            raise ValidationError({"division": ["区划代码应为 2、4、6、9 或 12 位数字。"]})
        scoped = with_has_children(Division.objects.for_user(request.user), request.user)
        division = scoped.filter(pk=code).first()
        if division is None:
            raise NotFound("区划不存在或不在您的权限范围内。")
        # Every value on this division and its ancestors: the ancestors are in the user's scope too
        # (Policy.scoping has ancestors=True), so nothing beyond the user's reach is revealed.
        data = EffectivePolicySerializer.build(division, effective_policy(division.code))
        return Response(EffectivePolicySerializer(data, context=self.get_serializer_context()).data)
