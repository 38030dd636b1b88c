"""API of the reports: the calendar, completeness, monthly briefs (with their workflow) and periodic reports.

Reads through ``for_user``; every write handler is mapped to a declared action (evaluation/reports/actions.py);
each brief and report says what the caller may do next (``allowed_actions``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import authed_user
from core.api import AllowedActionsField, ScopedModelViewSet, run_action
from core.scoping import Action, Role, scope_of
from stations.api.params import division_code_param
from stations.models import Division

from . import actions
from .calendar import calendar_for
from .models import MonthlyBrief, PeriodicReport
from .prefill import brief_figures
from .selectors import completeness, report_division

MIN_YEAR, MAX_YEAR = 2000, 2100


def _division(request: Request) -> Division:
    if scope_of(request.user).role == Role.NONE:
        raise NotFound("未找到。")
    code = division_code_param(request)
    try:
        return report_division(request.user, code)
    except Http404:
        raise NotFound("未找到。") from None


class CalendarItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            "monthly_brief",
            "mid_term_report",
            "final_report",
            "self_evaluation",
            "county_half_year_report",
            "county_self_evaluation",
        ]
    )
    label = serializers.CharField(help_text="报告名称")  # type: ignore[assignment]
    period = serializers.CharField(
        help_text="期间：YYYY-MM（月）、YYYY-H1/H2（半年）、YYYY（年）、YYYY-MM~YYYY-MM（服务年度）"
    )
    due = serializers.DateField(help_text="截止日期（遇休息日顺延至其后第一个工作日）")
    owed_by = serializers.DictField(allow_null=True, help_text="报送单位（及站点）；尚无履行中的协议时为 null")
    owed_to = serializers.DictField(allow_null=True, help_text="报送对象")
    clause = serializers.CharField(help_text="依据条款")


@extend_schema(tags=["报告"])
class CalendarView(APIView):
    @extend_schema(
        summary="报告日历",
        description=(
            "按区划适用的方案列出某年应报送的报告：月度工作简报、中期和末期工作报告、自评报告、县级半年项目实施情况"
            "报告和年度绩效自评报告。尚无履行中协议的区划，列出其社工站在全年履行协议时应报送的报告"
            "（owed_by 为 null）。"
        ),
        parameters=[
            OpenApiParameter(
                "division", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="区划代码"
            ),
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="年份"),
        ],
        responses=CalendarItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        division = _division(request)
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            raise serializers.ValidationError({"year": "请提供年份，如 2026。"}) from None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise serializers.ValidationError({"year": f"年份须在{MIN_YEAR}–{MAX_YEAR}之间。"})
        return Response([d.as_item() for d in calendar_for(request.user, division.code, year)])


@extend_schema(tags=["报告"])
class CompletenessView(APIView):
    @extend_schema(
        summary="简报报送完整率与及时率",
        description=(
            "某区划某月（period=YYYY-MM）或某年（period=YYYY）应报、已报、按时报送的月度工作简报数及比率（百分数，"
            "两位小数），按下一级区划分行；乡镇按站点分行。"
        ),
        parameters=[
            OpenApiParameter(
                "division", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="区划代码"
            ),
            OpenApiParameter(
                "period", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="YYYY-MM 或 YYYY"
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        division = _division(request)
        try:
            result = completeness(request.user, division, request.query_params.get("period", ""))
        except ValueError:
            raise serializers.ValidationError({"period": "期间格式为 YYYY-MM 或 YYYY。"}) from None
        return Response(result.as_dict())


class BriefSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    allowed_actions = AllowedActionsField()

    class Meta:
        model = MonthlyBrief
        fields = [
            "id",
            "station",
            "station_name",
            "contract",
            "agency",
            "agency_name",
            "division",
            "period",
            "due_date",
            "clause",
            "state",
            "state_label",
            "narrative",
            "highlights",
            "problems",
            "next_plan",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "accepted_at",
            "accepted_by",
            "returned_at",
            "returned_by",
            "return_comment",
            "allowed_actions",
        ]
        read_only_fields = fields


class BriefDetailSerializer(BriefSerializer):
    figures = serializers.SerializerMethodField(help_text="由业务记录生成的数据（验收后为验收时的数据）")

    class Meta(BriefSerializer.Meta):
        fields = [*BriefSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    def get_figures(self, obj: MonthlyBrief) -> dict[str, Any]:
        return shown_figures(obj)


def shown_figures(brief: MonthlyBrief) -> dict[str, Any]:
    """Live from the records while the brief is open; as handed in once it has been (and locked once accepted)."""
    if brief.state in MonthlyBrief.HANDED_IN and brief.figures:
        return brief.figures
    return brief_figures(brief.station, brief.period)


class BriefEditSerializer(serializers.Serializer):
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=actions.TEXT_MAX)
    highlights = serializers.CharField(required=False, allow_blank=True, max_length=actions.TEXT_MAX)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=actions.TEXT_MAX)
    next_plan = serializers.CharField(required=False, allow_blank=True, max_length=actions.TEXT_MAX)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=actions.TEXT_MAX)


class UnlockSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=actions.REASON_MAX)
    expires_at = serializers.DateTimeField()


def brief_queryset() -> Any:
    return MonthlyBrief.objects.select_related("station", "agency")


@extend_schema_view(
    list=extend_schema(summary="月度工作简报列表", description="可按 state、period、station 筛选。"),
    retrieve=extend_schema(summary="月度工作简报详情（含由记录生成的数据）"),
)
@extend_schema(tags=["报告"])
class BriefViewSet(ScopedModelViewSet):
    queryset = brief_queryset()
    serializer_class = BriefSerializer
    write_actions = {
        "partial_update": actions.brief_edit,
        "submit": actions.brief_submit,
        "review": actions.brief_review,
        "return_township": actions.brief_return_township,
        "return_bureau": actions.brief_return_bureau,
        "accept": actions.brief_accept,
        "unlock": actions.brief_unlock,
    }

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        for name in ("state", "period", "station"):
            value = params.get(name)
            if value:
                qs = qs.filter(**{name: value}) if name != "station" or value.isdigit() else qs.none()
        return qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return BriefSerializer if self.action == "list" else BriefDetailSerializer

    def _fresh(self, pk: int) -> Response:
        user = self.request.user
        from core.actions import verbs_of

        obj = brief_queryset().for_user(user).with_permissions(user, verbs_of(MonthlyBrief)).get(pk=pk)
        return Response(BriefDetailSerializer(obj, context=self.get_serializer_context()).data)

    def _act(
        self, request: Request, func: Callable[..., Any], payload: type[serializers.Serializer] | None
    ) -> Response:
        brief = cast(MonthlyBrief, self.get_object())
        data: dict[str, Any] = {}
        if payload is not None:
            p = payload(data=request.data)
            p.is_valid(raise_exception=True)
            data = dict(p.validated_data)
        run_action(lambda: func(acting_user=request.user, brief=brief, **data))
        return self._fresh(brief.pk)

    @extend_schema(request=BriefEditSerializer, responses=BriefDetailSerializer, summary="填写简报（文字部分）")
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        brief = cast(MonthlyBrief, self.get_object())
        p = BriefEditSerializer(data=request.data)
        p.is_valid(raise_exception=True)
        run_action(
            lambda: actions.brief_edit(acting_user=authed_user(request), brief=brief, data=dict(p.validated_data))
        )
        return self._fresh(brief.pk)

    @extend_schema(request=None, responses=BriefDetailSerializer, summary="报送简报")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.brief_submit, None)

    @extend_schema(request=None, responses=BriefDetailSerializer, summary="乡镇审核通过")
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.brief_review, None)

    @extend_schema(request=CommentSerializer, responses=BriefDetailSerializer, summary="乡镇退回修改")
    @action(detail=True, methods=["post"], url_path="return-township")
    def return_township(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.brief_return_township, CommentSerializer)

    @extend_schema(request=CommentSerializer, responses=BriefDetailSerializer, summary="县民政局退回修改")
    @action(detail=True, methods=["post"], url_path="return-bureau")
    def return_bureau(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.brief_return_bureau, CommentSerializer)

    @extend_schema(request=None, responses=BriefDetailSerializer, summary="验收简报（验收后锁定）")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.brief_accept, None)

    @extend_schema(request=UnlockSerializer, responses=BriefDetailSerializer, summary="开通限时修改")
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.brief_unlock, UnlockSerializer)


class PeriodicReportSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    allowed_actions = AllowedActionsField()

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "kind",
            "kind_label",
            "period",
            "station",
            "contract",
            "owner",
            "recipient",
            "division",
            "due_date",
            "clause",
            "state",
            "state_label",
            "content",
            "submitted_at",
            "submitted_by",
            "allowed_actions",
        ]
        read_only_fields = fields


class ReportSubmitSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=20000)


@extend_schema_view(list=extend_schema(summary="定期报告列表"), retrieve=extend_schema(summary="定期报告详情"))
@extend_schema(tags=["报告"])
class PeriodicReportViewSet(ScopedModelViewSet):
    queryset = PeriodicReport.objects.select_related("division")
    serializer_class = PeriodicReportSerializer
    write_actions = {"submit": actions.report_submit}

    @extend_schema(request=ReportSubmitSerializer, responses=PeriodicReportSerializer, summary="报送报告")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        report = cast(PeriodicReport, self.get_object())
        p = ReportSubmitSerializer(data=request.data)
        p.is_valid(raise_exception=True)
        run_action(
            lambda: actions.report_submit(
                acting_user=authed_user(request), report=report, content=p.validated_data["content"]
            )
        )
        user = request.user
        obj = PeriodicReport.objects.for_user(user).with_permissions(user, [Action.CHANGE]).get(pk=report.pk)
        return Response(PeriodicReportSerializer(obj, context=self.get_serializer_context()).data)
