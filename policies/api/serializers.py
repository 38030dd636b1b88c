"""Serializers for policies and the effective policy of a division (each value with its source and clause)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.models import Policy, PolicyRule
from policies.policy import EffectiveRule
from policies.registry import rules
from stations.api.serializers import DivisionSerializer

AnyJSON = extend_schema_field(OpenApiTypes.ANY)


@AnyJSON
class RuleValueField(serializers.JSONField):
    """A rule value: integer, decimal string, boolean, text, list or map depending on the rule type."""


class PolicyRuleSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(label="规则名称")  # type: ignore[assignment]
    display = serializers.SerializerMethodField(label="取值（显示）")
    value = RuleValueField(read_only=True, label="取值")

    class Meta:
        model = PolicyRule
        fields = ["key", "label", "value", "display", "clause", "quote", "note"]
        read_only_fields = fields

    def get_label(self, obj: PolicyRule) -> str:
        rule = rules().get(obj.key)
        return rule.label if rule else obj.key

    def get_display(self, obj: PolicyRule) -> str:
        rule = rules().get(obj.key)
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
    clause = serializers.CharField(label="条款")


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
    clause = serializers.CharField(label="条款")
    quote = serializers.SerializerMethodField(label="原文")
    overridden = OverriddenValueSerializer(many=True, label="被覆盖的上级取值")

    def get_quote(self, obj: EffectiveRule) -> str:
        return obj.source.quote if obj.source else ""


class EffectivePolicySerializer(serializers.Serializer):
    division = DivisionSerializer(label="区划")
    rules = EffectiveRuleSerializer(many=True, label="规则")

    @classmethod
    def build(cls, division: Any, effective: Any) -> dict[str, Any]:
        """Rules in registry order (rules.json), every registered rule present, unset ones with source null."""
        return {"division": division, "rules": list(effective.rules.values())}
