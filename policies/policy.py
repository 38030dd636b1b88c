"""Evaluating policy: the effective policy of a division, rule by rule, with where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.scoping import ancestor_codes

from .models import PolicyRule
from .registry import RuleDef, cite, label_of, rules, strength_label


@dataclass(frozen=True)
class Source:
    division_code: str
    division_name: str
    policy_name: str
    value: Any
    clause: str
    quote: str
    strength: str
    condition: str
    condition_code: str
    not_applicable: bool
    note: str

    @property
    def citation(self) -> str:
        """The document's own number and article (``田政办〔2021〕25号 第五部分第（三）项``)."""
        return cite(self.clause)


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
    def is_set(self) -> bool:
        return self.source is not None

    @property
    def applies(self) -> bool:
        """Set and not declared 不适用 at this level or above it."""
        return self.source is not None and not self.source.not_applicable

    @property
    def not_applicable(self) -> bool:
        return self.source is not None and self.source.not_applicable

    @property
    def clause(self) -> str:
        return self.source.clause if self.source else ""

    @property
    def citation_text(self) -> str:
        return self.source.citation if self.source else ""

    @property
    def strength(self) -> str:
        return self.source.strength if self.source else ""

    @property
    def strength_label(self) -> str:
        return strength_label(self.strength) if self.source else ""

    @property
    def condition(self) -> str:
        if self.source is None:
            return ""
        if self.source.condition:
            return self.source.condition
        return label_of("conditions", self.source.condition_code) if self.source.condition_code else ""

    @property
    def condition_code(self) -> str:
        return self.source.condition_code if self.source else ""

    @property
    def display(self) -> str:
        if self.not_applicable:
            return "本级不适用"
        return self.rule.display(self.value)

    def citation(self) -> str:
        """The human-readable reason: value, where it came from, which clause."""
        if self.source is None:
            return f"{self.rule.label}：未规定"
        return f"{self.rule.label}：{self.display}（{self.source.division_name}，{self.source.citation}）"


@dataclass
class EffectivePolicy:
    division_code: str
    rules: dict[str, EffectiveRule] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """The plain stored value of a rule that applies here, else ``default``.

        Values are the JSON forms documented in ``policies/registry.py``: an absolute date is an ISO string
        ``"YYYY-MM-DD"``, a yearly date ``"MM-DD"``, a duration ``{"amount": 15, "unit": "working_days"}``.
        A rule declared 不适用 here answers ``default``, like an unset one.
        """
        r = self.rules.get(key)
        return r.value if r is not None and r.applies else default

    def sources(self) -> list[str]:
        return sorted({r.source.division_code for r in self.rules.values() if r.source})

    @property
    def has_policy(self) -> bool:
        """False when no policy on this division or above sets anything: 本区划尚无适用的实施方案."""
        return any(r.source is not None for r in self.rules.values())


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
                strength=r.strength,
                condition=r.condition,
                condition_code=r.condition_code,
                not_applicable=r.not_applicable,
                note=r.note,
            )
            for r in found
        )
        if sources:
            value = None if sources[0].not_applicable else sources[0].value
            result.rules[key] = EffectiveRule(rule=rule, value=value, source=sources[0], overridden=sources[1:])
        else:
            result.rules[key] = EffectiveRule(rule=rule, value=None, source=None)
    return result
