"""Nantong's four-party care agreements (DOMAIN §3, [004 §3(3)], [004 §3(7)]): the policy findings on an agreement
— the number of parties, the station registered as a legal person (民非), its head a township civil-affairs
employee — each with the rule, the facts compared and the clause. Policy values come only from the effective policy
of the village's division."""

from __future__ import annotations

from typing import Any

from policies.findings import FAIL, NOT_APPLICABLE, PASS, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy
from policies.registry import cite, rules

from .models import CareAgreement

# The parties of a four-party care agreement as this model holds them: township, village, station worker and the
# cared-for person (each a required field, so every agreement has all four).
CARE_PARTIES = ("乡镇（街道）人民政府", "村（社区）", "社工站工作人员", "分散特困供养人员")
HEAD_FROM_TOWNSHIP = "township_civil_affairs"


def _station_head(policy: EffectivePolicy, agreement: CareAgreement) -> Finding:
    key = "staff.station_head"
    effective = policy.rules.get(key)
    if effective is None or not effective.applies or effective.source is None:
        return evaluate(policy, key, actual=None)
    source = effective.source
    rule = rules()[key]
    head = agreement.station_head_name or "（未填写）"
    base: dict[str, Any] = {
        "rule_key": key,
        "rule_label": rule.label,
        "strength": source.strength,
        "expected": effective.value,
        "expected_display": rule.display(effective.value),
        "facts": {"head": agreement.station_head_name, "civil_affairs": agreement.station_head_civil_affairs},
        "clause": source.clause,
        "citation": cite(source.clause),
        "quote": source.quote,
        "division_name": source.division_name,
    }
    if effective.value != HEAD_FROM_TOWNSHIP:
        return Finding(
            outcome=NOT_APPLICABLE,
            message=f"{rule.label}：本区划规定{base['expected_display']}，不要求由乡镇人员兼任。",
            **base,
        )
    held = agreement.station_head_civil_affairs and bool(agreement.station_head_name)
    detail = (
        f"站长（法人代表）{head}为乡镇（街道）从事民政工作的事业性质人员"
        if held
        else f"站长（法人代表）{head}不是乡镇（街道）从事民政工作的事业性质人员，或未填写"
    )
    return Finding(outcome=PASS if held else FAIL, message=f"{rule.label}：{detail}", **base)


def care_findings(agreement: CareAgreement, policy: EffectivePolicy | None = None) -> list[Finding]:
    """The findings of the effective policy of the agreement's village on the agreement."""
    policy = policy or effective_policy(agreement.village_id)
    return [
        evaluate(policy, "contract.care_agreement_parties", actual=len(CARE_PARTIES)),
        evaluate(policy, "station.legal_person_required", actual=bool(agreement.station_legal_person)),
        _station_head(policy, agreement),
    ]


def blocking_messages(findings: list[Finding]) -> list[str]:
    return [f"{f.message}（{f.citation or f.clause}）" for f in findings if f.blocking]


__all__ = ["CARE_PARTIES", "FAIL", "PASS", "blocking_messages", "care_findings"]
