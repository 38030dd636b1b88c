"""API for evaluations: the score question, evaluations with what the caller may do next, the pass mark, and
renewal decisions. Reads through ``for_user``; every write through a declared action (evaluation.actions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import authed_user
from accounts.models import Organisation
from contracts.models import Contract
from core.access import access
from core.api import ScopedModelViewSet, run_action, validated
from core.scoping import Action, Role, ScopedQuerySet, scope_of
from evaluation import actions
from evaluation.indicators import presets
from evaluation.models import (
    Evaluation,
    EvaluationTemplate,
    IndicatorScore,
    PartyScore,
    Renewal,
    SelfIndicatorScore,
    TemplateIndicator,
)
from evaluation.scoring import weighted_score
from policies.policy import effective_policy

from .serializers import (
    EnterScoreSerializer,
    EvaluationCreateSerializer,
    EvaluationSerializer,
    EvaluationTemplateSerializer,
    PassMarkSerializer,
    RenewalSerializer,
    RenewSerializer,
    ScoreAnswerSerializer,
    ScoreQuestionSerializer,
    SelfEvaluateSerializer,
    TemplateAdoptSerializer,
    TemplateEditSerializer,
    TemplatePresetSerializer,
)


def evaluation_queryset() -> ScopedQuerySet:
    return Evaluation.objects.select_related("contract", "evaluator", "self_evaluation__agency").prefetch_related(
        Prefetch("self_evaluation__items", queryset=SelfIndicatorScore.objects.order_by("position", "pk")),
        Prefetch("scores", queryset=PartyScore.objects.order_by("party")),
        Prefetch("scores__items", queryset=IndicatorScore.objects.order_by("position", "pk")),
    )


@extend_schema_view(
    list=extend_schema(
        summary="绩效评估列表",
        description="当前用户权限范围内的评估；第三方评估机构只看到指派给本机构的评估，各评估方评分中只看到本方评分。",
    ),
    retrieve=extend_schema(summary="绩效评估详情"),
)
@extend_schema(tags=["绩效评估"])
class EvaluationViewSet(ScopedModelViewSet):
    queryset = evaluation_queryset()
    serializer_class = EvaluationSerializer
    read_only_posts = frozenset({"score"})
    write_actions = {
        "create": actions.evaluation_create,
        "self_evaluate": actions.self_evaluate,
        "enter_score": actions.evaluation_score,
        "finalize": actions.evaluation_finalize,
        "pass_mark": actions.pass_mark_set,
    }

    def _fresh(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        obj = (
            evaluation_queryset()
            .for_user(user)
            .with_permissions(user, ["self_evaluate", "score", "finalize"])
            .get(pk=pk)
        )
        return Response(EvaluationSerializer(obj, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=ScoreQuestionSerializer,
        responses=ScoreAnswerSerializer,
        summary="按政策计算加权总分",
        description=(
            "按区划适用的实施方案中“评估分值权重”（evaluation.weights）计算各评估方加权得分与总分，"
            "两位小数、四舍五入；与正式评估认定结果使用同一计算。方案未规定权重时 total 为 null，"
            "findings 说明政策未作规定。只读，不保存任何数据。"
        ),
        examples=[
            OpenApiExample(
                "白沙：第三方 60%、县民政局 30%、乡镇 10%",
                value={"division": "469025", "scores": {"third_party": "85", "county_bureau": "90", "township": "80"}},
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"])
    def score(self, request: Request) -> Response:
        from stations.selectors import access_division

        data = validated(ScoreQuestionSerializer, request)
        if scope_of(request.user).role == Role.NONE:
            raise NotFound("未找到。")
        division = access_division(request.user, data["division"])  # type: ignore[arg-type]
        result = weighted_score(effective_policy(division.code), data["scores"])
        return Response(result.to_dict())

    @extend_schema(request=EvaluationCreateSerializer, responses=EvaluationSerializer, summary="新建评估")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(EvaluationCreateSerializer, request)
        user = request.user
        contract = access(Contract, user, data["contract"])
        evaluator = Organisation.objects.filter(pk=data["evaluator"], kind=Organisation.Kind.EVALUATOR).first()
        if evaluator is None:
            raise serializers.ValidationError({"evaluator": "第三方评估机构不存在。"})
        evaluation = run_action(
            lambda: actions.evaluation_create(
                acting_user=user,  # type: ignore[arg-type]
                contract=contract,
                service_year=data["service_year"],
                stage=data["stage"],
                evaluator=evaluator,
            )
        )
        return self._fresh(evaluation.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=SelfEvaluateSerializer,
        responses=EvaluationSerializer,
        summary="提交机构自评",
        description=(
            "协议的承接机构在各评估方评分之前提交自评：本县采用评估指标体系时按指标逐项自评并可附说明，"
            "否则填写自评得分（0–100）；须填写自评总结。提交后评估进入“评分中”，各评估方可见自评。"
        ),
    )
    @action(detail=True, methods=["post"], url_path="self-evaluation")
    def self_evaluate(self, request: Request, pk: Any = None) -> Response:
        evaluation = cast(Evaluation, self.get_object())
        data = validated(SelfEvaluateSerializer, request)
        run_action(
            lambda: actions.self_evaluate(
                acting_user=request.user,  # type: ignore[arg-type]
                evaluation=evaluation,
                summary=data["summary"],
                score=data.get("score"),
                indicator_scores=data.get("indicators"),
                comments=data.get("comments"),
            )
        )
        return self._fresh(evaluation.pk)

    @extend_schema(request=EnterScoreSerializer, responses=EvaluationSerializer, summary="录入本方评分")
    @action(detail=True, methods=["post"], url_path="scores")
    def enter_score(self, request: Request, pk: Any = None) -> Response:
        evaluation = cast(Evaluation, self.get_object())
        data = validated(EnterScoreSerializer, request)
        run_action(
            lambda: actions.evaluation_score(
                acting_user=request.user,  # type: ignore[arg-type]
                evaluation=evaluation,
                score=data.get("score"),
                indicator_scores=data.get("indicators"),
            )
        )
        return self._fresh(evaluation.pk)

    @extend_schema(request=None, responses=EvaluationSerializer, summary="认定评估结果")
    @action(detail=True, methods=["post"])
    def finalize(self, request: Request, pk: Any = None) -> Response:
        evaluation = cast(Evaluation, self.get_object())
        run_action(lambda: actions.evaluation_finalize(acting_user=request.user, evaluation=evaluation))  # type: ignore[arg-type]
        return self._fresh(evaluation.pk)

    @extend_schema(request=PassMarkSerializer, responses={200: dict}, summary="确定合格分数线（实施方案未规定时）")
    @action(detail=False, methods=["post"], url_path="pass-mark")
    def pass_mark(self, request: Request) -> Response:
        data = validated(PassMarkSerializer, request)
        user = authed_user(request)
        row = run_action(lambda: actions.pass_mark_set(acting_user=user, mark=data["mark"], basis=data["basis"]))
        return Response({"mark": str(row.mark), "basis": row.basis, "set_at": row.set_at})


@extend_schema_view(
    list=extend_schema(summary="续签决定列表", description="按年度评估结果作出的续签或重新采购决定。"),
    retrieve=extend_schema(summary="续签决定详情"),
)
@extend_schema(tags=["绩效评估"])
class RenewalViewSet(ScopedModelViewSet):
    queryset = Renewal.objects.select_related("previous")
    serializer_class = RenewalSerializer
    write_actions = {"create": actions.renew}

    @extend_schema(
        request=RenewSerializer,
        responses={201: RenewalSerializer, 409: RenewalSerializer},
        summary="续签下一年度协议（评估关口）",
        description=(
            "本年度末期评估合格方可续签：合格时新建并签订下一年度协议；政策规定评估不合格不予续签的，"
            "记录决定、标记须重新采购，并以 409 答复，findings 写明规则与条款。尚无评估记录时由民政部门"
            "手工录入结论（passed_by_hand）并填写理由。"
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(RenewSerializer, request)
        contract = access(Contract, request.user, data.pop("contract"), Action.CHANGE)
        renewal = run_action(lambda: actions.renew(acting_user=request.user, contract=contract, **data))  # type: ignore[arg-type]
        code = status.HTTP_201_CREATED if renewal.outcome == Renewal.Outcome.RENEWED else status.HTTP_409_CONFLICT
        return Response(RenewalSerializer(renewal, context=self.get_serializer_context()).data, status=code)


@extend_schema_view(
    list=extend_schema(
        summary="评估指标体系列表",
        description="民政部门看到本辖区各县民政局采用的评估指标体系（评估方面、指标、满分）；政策模板见 presets/。",
    ),
    retrieve=extend_schema(summary="评估指标体系详情"),
)
@extend_schema(tags=["绩效评估"])
class EvaluationTemplateViewSet(ScopedModelViewSet):
    queryset = EvaluationTemplate.objects.select_related("bureau").prefetch_related(
        Prefetch("indicators", queryset=TemplateIndicator.objects.order_by("position", "pk"))
    )
    serializer_class = EvaluationTemplateSerializer
    write_actions = {"create": actions.template_adopt, "partial_update": actions.template_edit}

    @extend_schema(
        responses=TemplatePresetSerializer(many=True),
        summary="政策中的评估指标体系模板",
        description=(
            "随平台提供的政策模板：各评估方面及其条款；政策未规定满分（max_scores 为 ask_bureau），"
            "由县民政局采用后确定。"
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def presets(self, request: Request) -> Response:
        if scope_of(request.user).role == Role.NONE:
            raise NotFound("未找到。")
        return Response(TemplatePresetSerializer(list(presets().values()), many=True).data)

    @extend_schema(
        request=TemplateAdoptSerializer, responses={201: EvaluationTemplateSerializer}, summary="采用评估指标体系"
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(TemplateAdoptSerializer, request)
        template = run_action(lambda: actions.template_adopt(acting_user=request.user, preset=data["preset"]))  # type: ignore[arg-type]
        fresh = self.queryset.all().for_user(request.user).get(pk=template.pk)
        return Response(
            EvaluationTemplateSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=TemplateEditSerializer, responses=EvaluationTemplateSerializer, summary="设定指标满分、增设指标"
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        template = cast(EvaluationTemplate, self.get_object())
        data = validated(TemplateEditSerializer, request)
        run_action(
            lambda: actions.template_edit(
                acting_user=request.user,  # type: ignore[arg-type]
                template=template,
                maxima=data["maxima"],
                new=[dict(n) for n in data["new"]],
            )
        )
        fresh = self.queryset.all().for_user(request.user).get(pk=template.pk)
        return Response(EvaluationTemplateSerializer(fresh, context=self.get_serializer_context()).data)


class StationRatingSerializer(serializers.Serializer):
    station = serializers.IntegerField(help_text="站点 id")
    name = serializers.CharField(help_text="站点名称")
    stars = serializers.IntegerField(allow_null=True, help_text="星级 1–5；未评定为 null")
    recorded = serializers.IntegerField(allow_null=True, help_text="站点现登记的星级（公布评定结果后与 stars 一致）")
    total = serializers.CharField(allow_null=True, help_text="本年度末期评估总分")
    findings = serializers.ListField(child=serializers.DictField(), help_text="逐级核对结果（县民政局确定的标准）")


class StarLevelSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5, help_text="星级")
    min_total = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), help_text="末期评估总分不低于"
    )
    min_brief_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        default=None,
        help_text="月度简报报送率不低于（%，可不设）",
    )


class StarPublishSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度 YYYY")


class StarPublishedSerializer(serializers.Serializer):
    station = serializers.IntegerField(help_text="站点 id")
    name = serializers.CharField(help_text="站点名称")
    before = serializers.IntegerField(allow_null=True, help_text="原登记星级")
    after = serializers.IntegerField(help_text="更新后的星级（评定结果）")


class StarRulesSerializer(serializers.Serializer):
    levels = StarLevelSerializer(many=True, help_text="各星级标准")
    basis = serializers.CharField(max_length=200, help_text="确定依据")


@extend_schema(tags=["绩效评估"])
class StationRatingView(APIView):
    @extend_schema(
        summary="站点星级",
        description=(
            "某区划（division）某年（year）每个站点的星级：按站点所在县民政局确定的星级评定标准（末期评估总分下限，"
            "可另设月度简报报送率下限）逐级核对，取达到的最高星级；尚无标准或尚无认定的末期评估结果时 stars 为 null。"
        ),
        parameters=[
            OpenApiParameter(
                "division", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="区划代码"
            ),
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="年度 YYYY"),
        ],
        responses={200: StationRatingSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        from evaluation.ratings import station_ratings
        from evaluation.reports.api import _division

        division = _division(request)
        raw = request.query_params.get("year", "")
        if not (len(raw) == 4 and raw.isdigit() and 2000 <= int(raw) <= 2100):
            raise serializers.ValidationError({"year": "年度格式为 YYYY。"})
        return Response([r.to_dict() for r in station_ratings(request.user, division, int(raw))])

    @extend_schema(request=StarRulesSerializer, responses={200: dict}, summary="确定星级评定标准（县民政局）")
    def post(self, request: Request) -> Response:
        data = validated(StarRulesSerializer, request)
        levels = {row["stars"]: row for row in data["levels"]}
        if len(levels) != len(data["levels"]):
            raise serializers.ValidationError({"levels": "同一星级只能填写一次。"})
        rows = run_action(lambda: actions.star_rules_set(acting_user=request.user, levels=levels, basis=data["basis"]))  # type: ignore[arg-type]
        return Response(
            {
                "levels": [
                    {
                        "stars": r.stars,
                        "min_total": str(r.min_total),
                        "min_brief_rate": None if r.min_brief_rate is None else str(r.min_brief_rate),
                    }
                    for r in rows
                ],
                "basis": data["basis"],
            }
        )


@extend_schema(tags=["绩效评估"])
class StationRatingPublishView(APIView):
    @extend_schema(
        request=StarPublishSerializer,
        responses={200: StarPublishedSerializer(many=True)},
        summary="公布站点星级（县民政局）",
        description="把某年度已评定出星级的本县站点的星级登记为评定结果（逐站留痕）；未评定的站点保持原登记星级。"
        "全部一致时答 400。",
    )
    def post(self, request: Request) -> Response:
        year = validated(StarPublishSerializer, request)["year"]
        changed = run_action(lambda: actions.star_ratings_publish(acting_user=request.user, year=year))  # type: ignore[arg-type]
        return Response(changed)
