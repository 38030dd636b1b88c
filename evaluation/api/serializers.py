"""Serializers of the evaluation API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from evaluation.scoring import PARTIES, parse_score


class ScoresSerializer(serializers.Serializer):
    third_party = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="第三方机构评分")
    county_bureau = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="县民政局评分")
    township = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="乡镇评分")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError("评分须为对象，如 {\"third_party\": \"85.50\"}。")
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
