"""API for policies: the stored policy of each division, and the effective (inherited) policy of a division."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import authed_user
from core.api import ScopedReadOnlyViewSet
from policies.actions import preset_adopt
from policies.filtersets import PolicyFilterSet
from policies.findings import evaluate
from policies.models import Policy, PolicyPreset, PolicyRule
from policies.policy import effective_policy
from policies.registry import rules as registry
from stations.api.params import division_code_param
from stations.api.serializers import with_has_children
from stations.models import Division
from stations.selectors import access_division

from .serializers import (
    AdoptSerializer,
    EffectivePolicySerializer,
    EvaluateSerializer,
    FindingSerializer,
    PolicySerializer,
    PresetSerializer,
)

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
    write_actions = {"adopt": preset_adopt}
    read_only_posts = frozenset({"evaluate"})  # facts checked against the policy; nothing is written

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
        code = division_code_param(request)
        user = authed_user(request)
        division = access_division(user, code, queryset=with_has_children(Division.objects.all(), user))
        # Every value on this division and its ancestors: the ancestors are in the user's scope too
        # (Policy.scoping has ancestors=True), so nothing beyond the user's reach is revealed.
        data = EffectivePolicySerializer.build(division, effective_policy(division.code))
        return Response(EffectivePolicySerializer(data, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="预置方案模板",
        description="五份政策文件的预置方案；采用前不是任何区划的政策。",
        responses=PresetSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="presets", pagination_class=None, filterset_class=None)
    def presets(self, request: Request) -> Response:
        presets = PolicyPreset.objects.for_user(request.user).order_by("code")
        return Response(PresetSerializer(presets, many=True).data)

    @extend_schema(
        summary="采用预置方案",
        description="民政局把一个预置方案复制为本级方案的起点（逐条记入审计），之后可逐条覆盖。只能用于本级区划。",
        request=AdoptSerializer,
        responses={200: PolicySerializer, 404: OpenApiResponse(description="区划或预置方案不存在，或无权修改")},
    )
    @action(detail=False, methods=["post"], url_path="adopt", pagination_class=None, filterset_class=None)
    def adopt(self, request: Request) -> Response:
        body = AdoptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        division = Division.objects.for_user(request.user).filter(pk=body.validated_data["division"]).first()
        preset = PolicyPreset.objects.for_user(request.user).filter(code=body.validated_data["preset"]).first()
        if division is None or preset is None:
            raise NotFound("区划或预置方案不存在，或不在您的权限范围内。")
        try:
            policy = preset_adopt(acting_user=authed_user(request), preset=preset, division=division)
        except DjangoPermissionDenied:
            raise NotFound("只能为本级区划采用预置方案。") from None
        except DjangoValidationError as exc:
            raise ValidationError({"preset": exc.messages}) from None
        policy = self.get_queryset().get(pk=policy.pk)
        return Response(PolicySerializer(policy, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="按政策核对事实",
        description=(
            "对区划的生效政策逐条核对给出的事实，返回核对结论（finding）：规则、约束强度、比较的事实、结果"
            "（pass 符合 / fail 不符合 / not_applicable 不适用 / unknown 无法判断）和依据条款。"
            "未规定的规则一律答 unknown，不会默认通过；条件不成立的答 not_applicable。"
        ),
        request=EvaluateSerializer,
        responses={200: FindingSerializer(many=True), 404: OpenApiResponse(description="区划不在权限范围内")},
    )
    @action(detail=False, methods=["post"], url_path="evaluate", pagination_class=None, filterset_class=None)
    def evaluate(self, request: Request) -> Response:
        body = EvaluateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        division = Division.objects.for_user(request.user).filter(pk=body.validated_data["division"]).first()
        if division is None:
            raise NotFound("区划不存在或不在您的权限范围内。")
        policy = effective_policy(division.code)
        findings = []
        for check in body.validated_data["checks"]:
            actual = _parse_dates(registry()[check["key"]].type, check.get("actual"))
            finding = evaluate(
                policy,
                check["key"],
                actual=actual,
                conditions=check.get("conditions"),
                reason=check.get("reason", ""),
            )
            findings.append(finding.to_dict())
        return Response(FindingSerializer(findings, many=True).data)


def _parse_dates(rule_type: str, actual: Any) -> Any:
    """Dates arrive as ISO strings; the checks compare ``datetime.date``."""
    try:
        if rule_type in {"date", "yearly_date"} and isinstance(actual, str):
            return dt.date.fromisoformat(actual)
        if rule_type == "duration" and isinstance(actual, dict):
            return {k: (dt.date.fromisoformat(v) if isinstance(v, str) else v) for k, v in actual.items()}
    except ValueError:
        raise ValidationError({"actual": ["日期格式应为 YYYY-MM-DD。"]}) from None
    return actual
