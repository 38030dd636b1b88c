from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from core.scoping import BUREAU_ROLES, ScopedManager, ScopeRule

from .registry import STRENGTHS, rules, vocabulary

STRENGTH_CHOICES = [(code, label) for code, label in vocabulary("strengths").items()]
CONDITION_CHOICES = [(code, label) for code, label in vocabulary("conditions").items()]


class Policy(models.Model):
    """Policy data attached to a division, inherited down the tree with per-rule override (DOMAIN §8)."""

    division = models.OneToOneField(
        "stations.Division", verbose_name="适用区划", on_delete=models.PROTECT, related_name="policy"
    )
    name = models.CharField("方案名称", max_length=200)
    issuer = models.CharField("发文单位", max_length=120, blank=True)
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    seed = models.CharField("来源文件", max_length=8, blank=True, help_text="政策文件编号，如 000")
    preset = models.CharField("预置方案代码", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # Everyone sees the policies on and above their part of the tree (inherited values);
    # a bureau edits the policy on its own division (enforced in actions.py).
    scoping = ScopeRule(division="division_id", ancestors=True, writers={"add": BUREAU_ROLES, "change": BUREAU_ROLES})

    class Meta:
        verbose_name = "政策方案"
        verbose_name_plural = "政策方案"
        ordering = ["division_id"]

    def __str__(self) -> str:
        return self.name


class PolicyRule(models.Model):
    """One value of a policy, with the clause of the policy document it comes from."""

    policy = models.ForeignKey(Policy, verbose_name="政策方案", on_delete=models.CASCADE, related_name="rules")
    key = models.CharField("规则", max_length=80)
    value = models.JSONField("取值", null=True, blank=True, help_text="“不适用”时为空")
    strength = models.CharField("约束强度", max_length=12, choices=STRENGTH_CHOICES, default="must")
    condition = models.CharField(
        "适用条件",
        max_length=200,
        blank=True,
        help_text="只在此条件下适用；用文字写明，例如“后期社工站经费基础标准提高时”",
    )
    condition_code = models.CharField(
        "适用条件（可核对）", max_length=40, blank=True, choices=CONDITION_CHOICES, help_text="平台能核对的条件"
    )
    not_applicable = models.BooleanField("本级不适用", default=False, help_text="上级规定在本区划不适用（须注明依据）")
    clause = models.CharField("条款", max_length=120, blank=True)
    quote = models.CharField("原文", max_length=300, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="policy__division_id",
        ancestors=True,
        writers={"add": BUREAU_ROLES, "change": BUREAU_ROLES, "delete": BUREAU_ROLES},
    )

    class Meta:
        verbose_name = "政策规则"
        verbose_name_plural = "政策规则"
        ordering = ["policy_id", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "key"],
                name="%(app_label)s_%(class)s_one_value_per_key",
                violation_error_message="同一方案中每条规则只能有一个取值。",
            ),
            models.CheckConstraint(
                condition=models.Q(strength__in=STRENGTHS),
                name="%(app_label)s_%(class)s_known_strength",
                violation_error_message="约束强度不是可选的值。",
            ),
            models.CheckConstraint(
                condition=models.Q(not_applicable=True) | models.Q(value__isnull=False),
                name="%(app_label)s_%(class)s_value_or_not_applicable",
                violation_error_message="请填写取值，或注明本级不适用。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.key}"

    def clean(self) -> None:
        rule = rules().get(self.key)
        if rule is None:
            raise ValidationError({"key": f"未知的规则：{self.key}"})
        if self.strength not in STRENGTHS:
            raise ValidationError({"strength": "约束强度不是可选的值。"})
        if self.not_applicable:
            self.value = None
            return
        if self.value is None:
            raise ValidationError({"value": f"{rule.label}：请填写取值，或注明本级不适用。"})
        try:
            self.value = rule.validate(self.value)
        except ValueError as exc:
            raise ValidationError({"value": f"{rule.label}：{exc}"}) from None


class PolicyPreset(models.Model):
    """One of the five documents as a ready-made template (policies/data/presets): not in force anywhere
    until a bureau adopts it for its own division (actions.preset_adopt copies its values into that policy)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("文件名称", max_length=200)
    issuer = models.CharField("发文单位", max_length=120, blank=True)
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    seed = models.CharField("来源文件", max_length=8, blank=True)
    division_code = models.CharField(
        "出处区划代码", max_length=12, blank=True, help_text="文件出自的区划；只是出处，不等于该区划的政策"
    )
    binding = models.BooleanField("是该区划自己的文件", default=False)
    scope_note = models.CharField("适用范围说明", max_length=300, blank=True)
    rules = models.JSONField("规则", default=list)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(public=True)

    class Meta:
        verbose_name = "预置方案"
        verbose_name_plural = "预置方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
