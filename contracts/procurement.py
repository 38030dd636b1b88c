"""Procurement methods in Open Contracting terms, and the agency's eligibility at award as policy findings."""

from __future__ import annotations

from typing import Any

from policies.findings import FAIL, PASS, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy

from .models import Bidder, Method

# OCDS 1.1 procurementMethod (open / selective / limited / direct) with the legal ground in Chinese law:
# 中华人民共和国政府采购法 第二十六条 lists the methods; 第二十九条–第三十一条 say when each may be used.
OCDS_METHODS: dict[str, tuple[str, str]] = {
    Method.OPEN_TENDER: ("open", "《中华人民共和国政府采购法》第二十六条：公开招标应作为政府采购的主要采购方式"),
    Method.INVITED_TENDER: (
        "limited",
        "《中华人民共和国政府采购法》第二十九条：具有特殊性，只能从有限范围的供应商处采购，或公开招标费用占比过大",
    ),
    Method.NEGOTIATION: (
        "limited",
        "《中华人民共和国政府采购法》第三十条：招标后没有供应商投标或技术复杂、时间紧急等情形",
    ),
    Method.CONSULTATION: (
        "limited",
        "《政府采购竞争性磋商采购方式管理暂行办法》第三条：购买服务项目等适用竞争性磋商的情形",
    ),
    Method.SINGLE_SOURCE: (
        "direct",
        "《中华人民共和国政府采购法》第三十一条：只能从唯一供应商处采购等情形",
    ),
}


def ocds_method(method: str) -> dict[str, str]:
    """``procurementMethod``, ``procurementMethodDetails`` (Chinese name), ``procurementMethodRationale``."""
    code, rationale = OCDS_METHODS[method]
    return {
        "procurementMethod": code,
        "procurementMethodDetails": Method(method).label,
        "procurementMethodRationale": rationale,
    }


# agency.eligibility lists conditions in the policy's own words; each is matched to the bidder fact that
# answers it by a key phrase of the condition (the three conditions of [000 §6(3)] and its peers).
ELIGIBILITY_FACTS: list[tuple[tuple[str, ...], str]] = [
    (("登记", "章程", "宗旨"), "registered_social_work"),
    (("财务", "纳税", "办公场所", "专业"), "finance_qualified"),
    (("违法", "违规", "信誉"), "no_violation"),
]


def _fact_for(condition: str) -> str | None:
    for phrases, fact in ELIGIBILITY_FACTS:
        if any(p in condition for p in phrases):
            return fact
    return None


def eligibility_findings(bidder: Bidder, policy: EffectivePolicy | None = None) -> list[Finding]:
    """The findings of the effective policy on one bidder: each listed eligibility condition, local
    preference, and (for a non-local agency) the minimum rating; plus the procurement method allowed."""
    procurement = bidder.procurement
    policy = policy or effective_policy(procurement.division_id)
    agency = bidder.agency
    out: list[Finding] = [evaluate(policy, "contract.procurement_methods", actual=procurement.method)]
    rule = policy.rules.get("agency.eligibility")
    source = rule.source if rule is not None else None
    if rule is not None and source is not None and rule.applies and isinstance(rule.value, list):
        for condition in rule.value:
            fact = _fact_for(str(condition))
            held = getattr(bidder, fact) if fact else None
            if held is None:
                outcome, message = "unknown", f"{condition}：没有可核对的事实，须人工核对。"
            else:
                outcome = PASS if held else FAIL
                message = f"{condition}：" + ("经核对符合" if held else "经核对不符合")
            out.append(
                Finding(
                    rule_key="agency.eligibility",
                    rule_label=rule.rule.label,
                    outcome=outcome,
                    message=message,
                    strength=source.strength,
                    expected=condition,
                    expected_display=str(condition),
                    facts={"actual": held, "agency": agency.name},
                    clause=source.clause,
                    citation=source.citation,
                    quote=source.quote,
                    division_name=source.division_name,
                )
            )
    else:
        out.append(evaluate(policy, "agency.eligibility", actual=None))
    reason = procurement.award_reason if procurement.winner_id == bidder.pk else ""
    out.append(evaluate(policy, "agency.local_preferred", actual=agency.is_local, reason=reason))
    if not agency.is_local and policy.rules.get("agency.nonlocal_min_rating") is not None:
        rating_rule = policy.rules["agency.nonlocal_min_rating"]
        if rating_rule.is_set:
            out.append(evaluate(policy, "agency.nonlocal_min_rating", actual=agency.rating or None))
    return out


def findings_as_data(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]
