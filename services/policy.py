"""Where the services rules of the effective policy are read (policies/data/rules.json, section "services").

Each decision returns or raises with the rule and its clause: the catalogue a station's list is chosen from
(``service.catalogue``), the negative list (``service.negative_list``, [003 §3(2)]), the visit checklist and
what a failed check requires (``service.visit_checks``, ``service.visit_escalation``, [004 §2]), the visit
frequency counted per calendar week (``service.visit_frequency``) and the professional-hours share target
(``target.professional_hours_share``, [003 §2(2)]).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from policies.findings import Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy
from policies.registry import cite, vocabulary

CATALOGUE = "service.catalogue"
NEGATIVE_LIST = "service.negative_list"
VISIT_FREQUENCY = "service.visit_frequency"
VISIT_CHECKS = "service.visit_checks"
VISIT_ESCALATION = "service.visit_escalation"
PROFESSIONAL_SHARE = "target.professional_hours_share"

# The four functions the Hunan rule names; a place whose policy names none still refuses them as professional
# service: they are administrative work by their nature (许可、确认、审批、给付) [003 §3(2)], [002 §5].
ADMIN_FUNCTIONS = ["许可", "确认", "审批", "给付"]


def catalogue_code(policy: EffectivePolicy) -> str | None:
    value = policy.get(CATALOGUE)
    return str(value) if value else None


def negative_list(policy: EffectivePolicy) -> list[str]:
    value = policy.get(NEGATIVE_LIST)
    return [str(v) for v in value] if value else list(ADMIN_FUNCTIONS)


def negative_list_citation(policy: EffectivePolicy) -> str:
    rule = policy.rules.get(NEGATIVE_LIST)
    if rule is not None and rule.is_set:
        return rule.citation_text
    return cite("[003 §3(2)]")


def visit_checks(policy: EffectivePolicy) -> dict[str, str]:
    """The checklist of the policy (code -> Chinese label); the vocabulary's four items when it names none."""
    labels = vocabulary("visit_checks")
    value = policy.get(VISIT_CHECKS)
    codes = [str(c) for c in value] if value else list(labels)
    return {c: labels.get(c, c) for c in codes}


@dataclass(frozen=True)
class Requirement:
    text: str
    clause: str


def escalation_requirement(policy: EffectivePolicy, check: str) -> Requirement:
    rule = policy.rules.get(VISIT_ESCALATION)
    value = policy.get(VISIT_ESCALATION) or {}
    label = vocabulary("visit_checks").get(check, check)
    text = value.get(check) if isinstance(value, dict) else None
    if text and rule is not None:
        return Requirement(str(text), rule.clause)
    return Requirement(f"“{label}”发现问题：及时联系村（社区）负责民政工作人员和乡镇，并登记处置结果。", "")


@dataclass(frozen=True)
class Frequency:
    times: int
    per: str
    clause: str


def visit_frequency(policy: EffectivePolicy) -> Frequency | None:
    """Visits owed per calendar period; None where the policy sets no frequency (nobody owes weekly visits)."""
    rule = policy.rules.get(VISIT_FREQUENCY)
    value = policy.get(VISIT_FREQUENCY)
    if not value or rule is None or not rule.applies:
        return None
    return Frequency(int(value.get("times", 1)), str(value.get("per", "week")), rule.clause)


def weekly_visit_divisions(division_codes: list[str]) -> dict[str, Frequency]:
    """Of the given county-or-lower codes, those whose policy asks for visits every calendar week."""
    out: dict[str, Frequency] = {}
    for code in division_codes:
        freq = visit_frequency(effective_policy(code))
        if freq is not None and freq.per == "week":
            out[code] = freq
    return out


def share_finding(division_code: str, year: int, share: Decimal | None) -> Finding:
    policy = effective_policy(division_code)
    actual: Any = None if share is None else {"year": year, "value": str(share)}
    return evaluate(policy, PROFESSIONAL_SHARE, actual=actual)


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the calendar week of ``day`` (a week is counted Monday to Sunday, not 7 rolling days)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)
