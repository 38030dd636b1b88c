"""Evaluating policy: the effective policy of a division, rule by rule, with where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.scoping import ancestor_codes

from .models import PolicyRule
from .registry import RuleDef, rules


@dataclass(frozen=True)
class Source:
    division_code: str
    division_name: str
    policy_name: str
    value: Any
    clause: str
    quote: str


@dataclass(frozen=True)
class EffectiveRule:
    rule: RuleDef
    value: Any
    source: Source | None
    overridden: tuple[Source, ...] = ()  # values higher up the tree that this one replaces

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def clause(self) -> str:
        return self.source.clause if self.source else ""

    @property
    def display(self) -> str:
        return self.rule.display(self.value)

    def citation(self) -> str:
        """The human-readable reason: value, where it came from, which clause."""
        if self.source is None:
            return f"{self.rule.label}：未规定"
        return f"{self.rule.label}：{self.display}（{self.source.division_name}，{self.source.clause}）"


@dataclass
class EffectivePolicy:
    division_code: str
    rules: dict[str, EffectiveRule] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        r = self.rules.get(key)
        return r.value if r is not None and r.source is not None else default

    def sources(self) -> list[str]:
        return sorted({r.source.division_code for r in self.rules.values() if r.source})


def effective_policy(division_code: str) -> EffectivePolicy:
    """One query: every rule on the division and its ancestors; the deepest value wins."""
    chain = [*ancestor_codes(division_code), division_code]
    rows = (
        PolicyRule.objects.filter(policy__division_id__in=chain)
        .select_related("policy", "policy__division")
        .order_by("key")
    )
    by_key: dict[str, list[PolicyRule]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    registry = rules()
    result = EffectivePolicy(division_code=division_code)
    for key, rule in registry.items():
        found = sorted(by_key.get(key, []), key=lambda r: len(r.policy.division_id), reverse=True)
        sources = tuple(
            Source(
                division_code=r.policy.division_id,
                division_name=r.policy.division.name,
                policy_name=r.policy.name,
                value=r.value,
                clause=r.clause,
                quote=r.quote,
            )
            for r in found
        )
        if sources:
            result.rules[key] = EffectiveRule(
                rule=rule, value=sources[0].value, source=sources[0], overridden=sources[1:]
            )
        else:
            result.rules[key] = EffectiveRule(rule=rule, value=None, source=None)
    return result
