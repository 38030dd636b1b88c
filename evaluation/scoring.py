"""The weighted evaluation score: each party's score times the policy's weight, totalled to two places, half up.

One function, :func:`weighted_score`, answers both the "what would this score be" question of
``POST /api/v1/evaluations/score/`` and the total of a real evaluation (``evaluation.actions``), so the two never
disagree. The weights come from the rule ``evaluation.weights`` of the division's effective policy (白沙:
第三方机构 60%、县民政局 30%、乡镇 10% [002 §7(2)]); a division whose policy sets no weights gets no total and a
finding that says the policy is silent. Every answer carries findings naming the rule and its clause.

Rounding: each party's weighted share is shown rounded to 0.01 (half up), but the total rounds the exact sum
once, so a total never carries the rounding error of its parts (60% × 80.05 + 30% × 70.05 + 10% × 90.05 =
78.05 exactly, not the 78.06 the rounded parts 48.03 + 21.02 + 9.01 would add to).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from policies.findings import FAIL, PASS, UNKNOWN, Finding
from policies.policy import EffectivePolicy
from policies.registry import cite, label_of, percent_text, rules

CENT = Decimal("0.01")
MAX_SCORE = Decimal("100")
PARTIES = ("third_party", "county_bureau", "township")  # the vocabulary evaluation_parties, in its order
WEIGHTS_RULE = "evaluation.weights"
PASS_MARK_RULE = "evaluation.pass_mark"  # noqa: S105 - a rule key


def money_round(value: Decimal) -> Decimal:
    """Two places, half up (81.005 -> 81.01), whatever the context's rounding."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_score(value: Any, party: str = "") -> Decimal | None:
    """A party's score: empty means not entered yet; else a number from 0 to 100 with at most two decimals."""
    if value is None or value == "":
        return None
    name = label_of("evaluation_parties", party) if party else "评分"
    if isinstance(value, float | bool):
        raise ValueError(f"{name}的评分须以文字形式的数字给出，如“85.50”。")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValueError(f"{name}的评分不是数字。") from None
    if not number.is_finite():
        raise ValueError(f"{name}的评分不是数字。")
    if number < 0 or number > MAX_SCORE:
        raise ValueError(f"{name}的评分须在 0 至 100 分之间。")
    if number != number.quantize(CENT):
        raise ValueError(f"{name}的评分最多保留两位小数。")
    return number.quantize(CENT)


@dataclass(frozen=True)
class Part:
    party: str
    score: Decimal | None
    weight: Decimal
    weighted: Decimal | None  # rounded for display; the total uses the exact product

    @property
    def party_label(self) -> str:
        return label_of("evaluation_parties", self.party)

    @property
    def weight_text(self) -> str:
        return percent_text(self.weight)

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "party_label": self.party_label,
            "score": None if self.score is None else str(self.score),
            "weight": str(self.weight),
            "weighted": None if self.weighted is None else str(self.weighted),
        }


@dataclass(frozen=True)
class Score:
    total: Decimal | None
    parts: list[Part] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_weights(self) -> bool:
        return bool(self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": None if self.total is None else str(self.total),
            "parts": [p.to_dict() for p in self.parts],
            "findings": [f.to_dict() for f in self.findings],
        }


def _rule_base(policy: EffectivePolicy, key: str) -> dict[str, Any]:
    effective = policy.rules[key]
    source = effective.source
    if source is None:  # callers ask only about rules the policy sets
        raise LookupError("rule not set")
    return {
        "rule_key": key,
        "rule_label": effective.rule.label,
        "strength": source.strength,
        "expected": effective.value,
        "expected_display": effective.display,
        "clause": source.clause,
        "citation": cite(source.clause),
        "quote": source.quote,
        "division_name": source.division_name,
    }


def weights_of(policy: EffectivePolicy) -> dict[str, Decimal] | None:
    """{party: weight} from the policy, in the vocabulary's order; None when the policy is silent."""
    value = policy.get(WEIGHTS_RULE)
    if not value:
        return None
    return {party: Decimal(str(value[party])) for party in PARTIES if party in value}


def silent_finding(policy: EffectivePolicy) -> Finding:
    label = rules()[WEIGHTS_RULE].label
    why = "本区划的政策未规定各评估方的分值权重" if policy.has_policy else "本区划尚无适用的实施方案"
    return Finding(
        WEIGHTS_RULE,
        label,
        UNKNOWN,
        f"{label}：{why}，无法计算加权总分，请民政部门在实施方案中确定。",
    )


def weighted_score(policy: EffectivePolicy, scores: Mapping[str, Decimal | None]) -> Score:
    """The weighted total of the parties' ``scores`` under ``policy`` (see the module docstring)."""
    weights = weights_of(policy)
    if weights is None:
        return Score(total=None, findings=[silent_finding(policy)])
    parts: list[Part] = []
    exact = Decimal(0)
    missing: list[str] = []
    for party, weight in weights.items():
        score = scores.get(party)
        if score is None:
            missing.append(label_of("evaluation_parties", party))
            parts.append(Part(party, None, weight, None))
            continue
        product = score * weight
        exact += product
        parts.append(Part(party, score, weight, money_round(product)))
    shares = "、".join(f"{p.party_label}{p.weight_text}" for p in parts)
    base = _rule_base(policy, WEIGHTS_RULE)
    if missing:
        total = None
        message = f"{base['rule_label']}：按{shares}加权；尚缺{'、'.join(missing)}的评分，暂不能合计。"
        finding = Finding(outcome=UNKNOWN, message=message, facts={"missing": missing}, **base)
    else:
        total = money_round(exact)
        terms = " + ".join(f"{p.score} × {p.weight_text}" for p in parts)
        message = f"{base['rule_label']}：{terms} = {total} 分（保留两位小数，四舍五入）。"
        finding = Finding(outcome=PASS, message=message, facts={"total": total}, **base)
    return Score(total=total, parts=parts, findings=[finding])


@dataclass(frozen=True)
class Mark:
    """The pass mark that applies: from the policy, or set by the buyer bureau where the policy has none."""

    value: Decimal
    source: str  # "policy" or "bureau"
    note: str  # where it comes from, in Chinese


def pass_mark_finding(policy: EffectivePolicy, total: Decimal, mark: Mark | None) -> Finding:
    """Whether ``total`` reaches the pass mark, naming the rule and its clause (or the bureau's decision)."""
    label = rules()[PASS_MARK_RULE].label
    if mark is None:
        return Finding(
            PASS_MARK_RULE,
            label,
            UNKNOWN,
            f"{label}：实施方案未规定合格分数线，民政部门尚未确定，评估结果暂不能认定。",
        )
    ok = total >= mark.value
    outcome = PASS if ok else FAIL
    verdict = "合格" if ok else "不合格"
    message = f"{label}：总分 {total} 分，合格分数线 {mark.value} 分（{mark.note}），评估{verdict}。"
    facts = {"total": total, "pass_mark": mark.value}
    if mark.source == "policy":
        return Finding(outcome=outcome, message=message, facts=facts, **_rule_base(policy, PASS_MARK_RULE))
    return Finding(PASS_MARK_RULE, label, outcome, message, strength="must", expected=str(mark.value), facts=facts)


def policy_mark(policy: EffectivePolicy) -> Mark | None:
    value = policy.get(PASS_MARK_RULE)
    if value is None:
        return None
    source = policy.rules[PASS_MARK_RULE].source
    if source is None:  # callers ask only about rules the policy sets
        raise LookupError("rule not set")
    return Mark(Decimal(str(value)), "policy", f"{source.division_name}，{cite(source.clause)}")
