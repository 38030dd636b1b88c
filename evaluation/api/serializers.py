"""Serializers of the evaluation API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from accounts.models import User
from core.api import AllowedActionsField
from evaluation.scoring import PARTIES, parse_score


class ScoresSerializer(serializers.Serializer):
    third_party = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="第三方机构评分")
    county_bureau = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="县民政局评分")
    township = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="乡镇评分")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError('评分须为对象，如 {"third_party": "85.50"}。')
        unknown = sorted(set(data) - set(PARTIES))
        if unknown:
            raise serializers.ValidationError("未知的评估方。")
        out: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for party in PARTIES:
            try:
                out[party] = parse_score(data.get(party), party)
            except ValueError as exc:
                errors[party] = str(exc)
        if errors:
            raise serializers.ValidationError(errors)
        return out


class ScoreQuestionSerializer(serializers.Serializer):
    division = serializers.CharField(max_length=12, help_text="区划代码")
    scores = ScoresSerializer()


class PartSerializer(serializers.Serializer):
    party = serializers.CharField(help_text="评估方代码")
    party_label = serializers.CharField(help_text="评估方名称")
    score = serializers.CharField(allow_null=True, help_text="评分（两位小数）")
    weight = serializers.CharField(help_text="权重")
    weighted = serializers.CharField(allow_null=True, help_text="加权得分（两位小数，四舍五入）")


class ScoreAnswerSerializer(serializers.Serializer):
    total = serializers.CharField(allow_null=True, help_text="加权总分（两位小数，四舍五入）")
    parts = PartSerializer(many=True)
    findings = serializers.ListField(child=serializers.DictField(), help_text="核对结果（规则、条款）")


def visible_parties(user: User, evaluation: Any) -> set[str] | None:
    """The parties whose scores ``user`` may read on ``evaluation``: None for all of them.

    Each party sees and scores only its own share while the evaluation is open; bureaus see every share;
    once the result is fixed, everyone who sees the evaluation sees how it was reached."""
    from core.scoping import BUREAU_ROLES, Role, scope_of
    from evaluation.actions import party_of

    role = scope_of(user).role
    if role in BUREAU_ROLES or role in (Role.ADMIN, Role.SYSTEM) or evaluation.state == "final":
        return None
    party = party_of(user, evaluation)
    return {party} if party else set()


def self_evaluation_data(evaluation: Any) -> dict[str, Any] | None:
    """The agency's submitted self-evaluation as plain data (the API and the PDF), or None before it is in."""
    from django.core.exceptions import ObjectDoesNotExist

    from evaluation.indicators import aspect_totals

    try:
        row = evaluation.self_evaluation
    except ObjectDoesNotExist:
        return None
    items = list(row.items.all())
    return {
        "agency": row.agency.name,
        "score": str(row.score),
        "summary": row.summary,
        "submitted_at": row.submitted_at.isoformat(),
        "aspects": [a.to_dict() for a in aspect_totals(items)],
        "indicators": [
            {
                "indicator": i.indicator_id,
                "aspect": i.aspect,
                "name": i.name,
                "max_score": str(i.max_score),
                "score": str(i.score),
                "comment": i.comment,
            }
            for i in items
        ],
    }


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contract = serializers.IntegerField(source="contract_id", read_only=True, help_text="协议 id")
    contract_number = serializers.CharField(source="contract.number", read_only=True, help_text="协议编号")
    division = serializers.CharField(source="contract.division_id", read_only=True, help_text="项目落地区划代码")
    service_year = serializers.IntegerField(read_only=True, help_text="服务年度")
    stage = serializers.CharField(read_only=True, help_text="评估阶段代码")
    stage_display = serializers.CharField(source="get_stage_display", read_only=True, help_text="评估阶段")
    evaluator = serializers.CharField(source="evaluator.name", read_only=True, help_text="第三方评估机构")
    state = serializers.CharField(read_only=True, help_text="状态代码")
    state_display = serializers.CharField(source="get_state_display", read_only=True, help_text="状态")
    my_party = serializers.SerializerMethodField(help_text="当前用户所代表的评估方（无则为空）")
    self_evaluation = serializers.SerializerMethodField(help_text="承接机构的自评（提交后各评估方可见；未提交为空）")
    scores = serializers.SerializerMethodField(help_text="当前用户可见的各评估方评分")
    total = serializers.SerializerMethodField(help_text="加权总分（结果认定后可见）")
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    passed = serializers.BooleanField(read_only=True, allow_null=True)
    findings = serializers.JSONField(read_only=True)
    finalized_at = serializers.DateTimeField(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(help_text="当前用户此时可对该评估执行的操作")

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_my_party(self, obj: Any) -> str | None:
        from evaluation.actions import party_of

        return party_of(self._user(), obj)

    def get_self_evaluation(self, obj: Any) -> dict[str, Any] | None:
        return self_evaluation_data(obj)

    def get_scores(self, obj: Any) -> list[dict[str, Any]]:
        shown = visible_parties(self._user(), obj)
        from evaluation.indicators import aspect_totals

        out = []
        for s in obj.scores.all():
            if shown is not None and s.party not in shown:
                continue
            items = list(s.items.all())
            out.append(
                {
                    "party": s.party,
                    "party_label": s.get_party_display(),
                    "score": str(s.score),
                    "aspects": [a.to_dict() for a in aspect_totals(items)],
                    "indicators": [
                        {
                            "indicator": i.indicator_id,
                            "aspect": i.aspect,
                            "name": i.name,
                            "max_score": str(i.max_score),
                            "score": str(i.score),
                        }
                        for i in items
                    ],
                }
            )
        return out

    def get_total(self, obj: Any) -> str | None:
        if obj.total is not None:
            return str(obj.total)
        return None

    def get_allowed_actions(self, obj: Any) -> list[dict[str, str]]:
        from core.actions import available_actions
        from evaluation.actions import party_of

        user = self._user()
        out = available_actions(user, obj)
        # Scoring is open to the three parties' roles, but each may score only where it is a party.
        return [a for a in out if a["action"] != "evaluation.score" or party_of(user, obj) is not None]


class EvaluationCreateSerializer(serializers.Serializer):
    contract = serializers.IntegerField(help_text="协议 id")
    service_year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="服务年度")
    stage = serializers.ChoiceField(choices=[("midterm", "中期评估"), ("final", "末期（结项）评估")])
    evaluator = serializers.IntegerField(help_text="第三方评估机构 id")


class EnterScoreSerializer(serializers.Serializer):
    score = serializers.CharField(
        required=False, help_text="本方评分，0–100，最多两位小数，如“85.50”（本县未采用评估指标体系时）"
    )
    indicators = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='各指标得分 {"指标 id": "12.50"}（本县已采用评估指标体系时；每项 0 至该指标满分）',
    )

    def validate_score(self, value: str) -> Any:
        try:
            parsed = parse_score(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if parsed is None:
            raise serializers.ValidationError("请填写评分。")
        return parsed

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("score" in attrs) == ("indicators" in attrs):
            raise serializers.ValidationError("请填写本方评分（score）或各指标得分（indicators）其中之一。")
        return attrs


class SelfEvaluateSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=4000, help_text="自评总结")
    score = serializers.CharField(required=False, help_text="自评得分，0–100，最多两位小数（本县未采用评估指标体系时）")
    indicators = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='各指标自评得分 {"指标 id": "12.50"}（本县已采用评估指标体系时；每项 0 至该指标满分）',
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=500),
        required=False,
        help_text='各指标自评说明 {"指标 id": "……"}（可选）',
    )

    def validate_score(self, value: str) -> Any:
        try:
            parsed = parse_score(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc).replace("评分", "自评得分")) from exc
        if parsed is None:
            raise serializers.ValidationError("请填写自评得分。")
        return parsed

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("score" in attrs) == ("indicators" in attrs):
            raise serializers.ValidationError("请填写自评得分（score）或各指标自评得分（indicators）其中之一。")
        return attrs


class TemplateIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    aspect = serializers.CharField(read_only=True, help_text="评估方面")
    aspect_clause = serializers.CharField(read_only=True, help_text="方面所依据条款")
    name = serializers.CharField(read_only=True, help_text="指标")
    max_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True, help_text="满分（民政部门尚未确定时为空）"
    )


class EvaluationTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    bureau = serializers.CharField(source="bureau.name", read_only=True, help_text="民政部门")
    division = serializers.CharField(source="bureau.division_id", read_only=True, help_text="区划代码")
    preset = serializers.CharField(read_only=True, help_text="所依据的政策模板")
    name = serializers.CharField(read_only=True)
    clause = serializers.CharField(read_only=True, help_text="条款")
    indicators = TemplateIndicatorSerializer(many=True, read_only=True)
    adopted_at = serializers.DateTimeField(read_only=True)
    changed_at = serializers.DateTimeField(read_only=True)
    allowed_actions = AllowedActionsField()


class TemplatePresetAspectSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="评估方面")
    clause = serializers.CharField(help_text="条款")
    indicators = serializers.ListField(child=serializers.DictField(), help_text="指标（满分由民政部门确定）")


class TemplatePresetSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="模板代码")
    name = serializers.CharField()
    division_name = serializers.CharField(help_text="所出自的政策区划")
    document = serializers.CharField(help_text="政策文件")
    clause = serializers.CharField(help_text="条款")
    quote = serializers.CharField(help_text="原文")
    note = serializers.CharField(help_text="说明")
    max_scores = serializers.CharField(help_text="ask_bureau：政策未规定满分，由民政部门确定")
    aspects = TemplatePresetAspectSerializer(many=True)


class TemplateAdoptSerializer(serializers.Serializer):
    preset = serializers.CharField(max_length=40, help_text="政策模板代码（见 presets/）")


class NewIndicatorSerializer(serializers.Serializer):
    aspect = serializers.CharField(max_length=60, help_text="已有的评估方面")
    name = serializers.CharField(max_length=100, help_text="指标名称")
    max_score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        default=None,
    )


class TemplateEditSerializer(serializers.Serializer):
    maxima = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100"), allow_null=True
        ),
        required=False,
        default=dict,
        help_text='各指标满分 {"指标 id": "25.00"}，空值表示待定',
    )
    new = NewIndicatorSerializer(many=True, required=False, default=list, help_text="增设的指标")

    def validate_maxima(self, value: dict[str, Any]) -> dict[int, Any]:
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as exc:
            raise serializers.ValidationError("指标 id 须为数字。") from exc


class PassMarkSerializer(serializers.Serializer):
    mark = serializers.CharField(help_text="合格分数线，0–100")
    basis = serializers.CharField(max_length=200, help_text="确定依据")

    def validate_mark(self, value: str) -> Any:
        try:
            parsed = parse_score(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc).replace("评分", "分数线")) from exc
        if parsed is None:
            raise serializers.ValidationError("请填写合格分数线。")
        return parsed


class RenewalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    previous = serializers.IntegerField(source="previous_id", read_only=True, help_text="本年度协议 id")
    previous_number = serializers.CharField(source="previous.number", read_only=True)
    next = serializers.IntegerField(source="next_id", read_only=True, allow_null=True, help_text="下一年度协议 id")
    service_year = serializers.IntegerField(read_only=True)
    evaluation = serializers.IntegerField(source="evaluation_id", read_only=True, allow_null=True)
    by_hand = serializers.BooleanField(read_only=True)
    passed = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    findings = serializers.JSONField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)


class RenewSerializer(serializers.Serializer):
    contract = serializers.IntegerField(help_text="本年度协议 id")
    signed_date = serializers.DateField(help_text="下一年度协议签订日期")
    passed_by_hand = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="尚无评估记录时手工录入的结论：是否合格"
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
