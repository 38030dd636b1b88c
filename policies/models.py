from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from core.scoping import BUREAU_ROLES, ScopedManager, ScopeRule

from .registry import rules


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
    value = models.JSONField("取值")
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.key}"

    def clean(self) -> None:
        rule = rules().get(self.key)
        if rule is None:
            raise ValidationError({"key": f"未知的规则：{self.key}"})
        try:
            self.value = rule.validate(self.value)
        except ValueError as exc:
            raise ValidationError({"value": f"{rule.label}：{exc}"}) from None
