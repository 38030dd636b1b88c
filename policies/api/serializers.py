"""Serializers for policies and the effective policy of a division (each value with its source and clause)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.models import Policy, PolicyPreset, PolicyRule
from policies.policy import EffectiveRule
from policies.registry import cite, rules
from stations.api.serializers import DivisionSerializer

AnyJSON = extend_schema_field(OpenApiTypes.ANY)


@AnyJSON
class RuleValueField(serializers.JSONField):
    """A rule value: integer, decimal string, boolean, text, list or map depending on the rule type."""


class PolicyRuleSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(label="规则名称")  # type: ignore[assignment]
    display = serializers.SerializerMethodField(label="取值（显示）")
    value = RuleValueField(read_only=True, label="取值（不适用时为 null）")
    citation = serializers.SerializerMethodField(label="依据（文件文号及条款）")
    condition_code = serializers.ChoiceField(
        choices=PolicyRule._meta.get_field("condition_code").choices or [],
        allow_blank=True,
        read_only=True,
        label="可核对的条件（无则为空）",
    )

    class Meta:
        model = PolicyRule
        fields = [
            "key",
            "label",
            "value",
            "display",
            "strength",
            "condition",
            "condition_code",
            "not_applicable",
            "citation",
            "clause",
            "quote",
            "note",
        ]
        read_only_fields = fields

    def get_citation(self, obj: PolicyRule) -> str:
        return cite(obj.clause)

    def get_label(self, obj: PolicyRule) -> str:
        rule = rules().get(obj.key)
        return rule.label if rule else obj.key

    def get_display(self, obj: PolicyRule) -> str:
        rule = rules().get(obj.key)
        if obj.not_applicable:
            return "本级不适用"
        return rule.display(obj.value) if rule else str(obj.value)


class PolicySerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True, label="适用区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True, label="适用区划名称")
    rules = PolicyRuleSerializer(many=True, read_only=True, label="规则")

    class Meta:
        model = Policy
        fields = ["id", "division", "division_name", "name", "issuer", "year", "seed", "preset", "rules"]
        read_only_fields = fields


class RuleSourceSerializer(serializers.Serializer):
    division = serializers.CharField(source="division_code", label="来源区划代码")
    division_name = serializers.CharField(label="来源区划名称")
    policy = serializers.CharField(source="policy_name", label="来源政策方案")


class OverriddenValueSerializer(serializers.Serializer):
    division = serializers.CharField(source="division_code", label="被覆盖的上级区划代码")
    value = RuleValueField(label="被覆盖的取值")
    not_applicable = serializers.BooleanField(label="上级声明不适用")
    citation = serializers.CharField(label="依据（文件文号及条款）")
    clause = serializers.CharField(label="内部条款编号")


class EffectiveRuleSerializer(serializers.Serializer):
    key = serializers.CharField(label="规则")
    # (Declared fields are popped off the class by DRF, so the names may shadow Field attributes.)
    label = serializers.CharField(source="rule.label", label="规则名称")  # type: ignore[assignment]
    section = serializers.CharField(source="rule.section", label="分类")
    section_label = serializers.CharField(source="rule.section_label", label="分类名称")
    type = serializers.CharField(source="rule.type", label="取值类型")
    unit = serializers.CharField(source="rule.unit", label="单位")
    value = RuleValueField(allow_null=True, label="生效取值（未规定时为 null）")
    display = serializers.CharField(label="生效取值（显示）")
    source = RuleSourceSerializer(allow_null=True, label="来源（未规定时为 null）")  # type: ignore[assignment]
    status = serializers.SerializerMethodField(label="状态：applies 适用 / not_applicable 本级不适用 / unset 未规定")
    strength = serializers.CharField(label="约束强度：must / as_a_rule / preference / target（未规定时为空）")
    strength_label = serializers.CharField(label="约束强度（显示）")
    condition = serializers.CharField(label="适用条件（文字，无条件时为空）")
    condition_code = serializers.CharField(label="平台可核对的条件代码（无则为空）")
    citation = serializers.CharField(
        source="citation_text", label="依据（文件文号及条款，如 田政办〔2021〕25号 第五部分第（三）项）"
    )
    clause = serializers.CharField(label="内部条款编号，如 [000 §5(3)]")
    quote = serializers.SerializerMethodField(label="原文")
    ask_bureau = serializers.BooleanField(source="rule.ask_bureau", label="文件未规定，须由民政部门确定")
    overridden = OverriddenValueSerializer(many=True, label="被覆盖的上级取值")

    def get_quote(self, obj: EffectiveRule) -> str:
        return obj.source.quote if obj.source else ""

    def get_status(self, obj: EffectiveRule) -> str:
        if obj.source is None:
            return "unset"
        return "not_applicable" if obj.not_applicable else "applies"


class EffectivePolicySerializer(serializers.Serializer):
    division = DivisionSerializer(label="区划")
    has_policy = serializers.BooleanField(label="有适用的实施方案")
    notice = serializers.CharField(label="提示（无适用方案时为“本区划尚无适用的实施方案”）")
    rules = EffectiveRuleSerializer(many=True, label="规则")

    @classmethod
    def build(cls, division: Any, effective: Any) -> dict[str, Any]:
        """Rules in registry order (rules.json), every registered rule present, unset ones with source null."""
        from policies.findings import NO_POLICY_NOTICE

        return {
            "division": division,
            "has_policy": effective.has_policy,
            "notice": "" if effective.has_policy else NO_POLICY_NOTICE,
            "rules": list(effective.rules.values()),
        }


class PresetSerializer(serializers.ModelSerializer):
    rule_count = serializers.SerializerMethodField(label="规定条数")

    class Meta:
        model = PolicyPreset
        fields = ["code", "name", "issuer", "year", "division_code", "binding", "scope_note", "rule_count"]
        read_only_fields = fields

    def get_rule_count(self, obj: PolicyPreset) -> int:
        return len(obj.rules)


class AdoptSerializer(serializers.Serializer):
    division = serializers.RegexField(r"^\d{2,12}$", label="本级区划代码")
    preset = serializers.SlugField(label="预置方案代码")


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField(label="规则")
    actual = serializers.JSONField(required=False, allow_null=True, label="实际情况（按规则类型，日期为 YYYY-MM-DD）")
    conditions = serializers.DictField(child=serializers.BooleanField(), required=False, label="条件是否成立")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, label="例外理由")

    def validate_key(self, value: str) -> str:
        if value not in rules():
            raise serializers.ValidationError("未知的规则。")
        return value


class EvaluateSerializer(serializers.Serializer):
    division = serializers.RegexField(r"^\d{2,12}$", label="区划代码")
    checks = CheckSerializer(many=True, label="要核对的规则与事实")


class FindingSerializer(serializers.Serializer):
    rule_key = serializers.CharField(label="规则")
    rule_label = serializers.CharField(label="规则名称")
    outcome = serializers.CharField(label="结果：pass / fail / not_applicable / unknown")
    outcome_label = serializers.CharField(label="结果（显示）")
    blocking = serializers.BooleanField(label="是否阻止（必须性规定不符合，或原则性规定不符合且无理由）")
    message = serializers.CharField(label="说明")
    strength = serializers.CharField(label="约束强度")
    strength_label = serializers.CharField(label="约束强度（显示）")
    expected = RuleValueField(allow_null=True, label="规定取值")
    expected_display = serializers.CharField(label="规定取值（显示）")
    facts = serializers.DictField(label="比较的事实")
    condition = serializers.CharField(label="适用条件")
    citation = serializers.CharField(label="依据（文件文号及条款）")
    clause = serializers.CharField(label="内部条款编号")
    quote = serializers.CharField(label="原文")
    division_name = serializers.CharField(label="规定来自的区划")
    reason = serializers.CharField(label="例外理由")
