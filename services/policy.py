"""Where the services rules of the effective policy are read (policies/data/rules.json, section "services").

Each decision returns or raises with the rule and its clause: the catalogue a station's list is chosen from
(``service.catalogue``), the negative list (``service.negative_list``, [003 §3(2)]), the visit checklist and
what a failed check requires (``service.visit_checks``, ``service.visit_escalation``, [004 §2]), the visit
frequency, ``times`` per calendar week, month, quarter or year (``service.visit_frequency``) and the
professional-hours share target (``target.professional_hours_share``, [003 §2(2)]).
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


@dataclass(frozen=True)
class VisitSource:
    """Where ``service.visit_frequency`` is set: the effective rule there (``times`` 0 where none applies)."""

    division_code: str
    times: int
    per: str
    clause: str

    @property
    def weekly(self) -> bool:
        return self.times > 0 and self.per == "week"


def period_start(per: str, day: dt.date) -> dt.date:
    """The first day of the calendar period (week from Monday, month, quarter, year) that holds ``day``."""
    if per == "week":
        return day - dt.timedelta(days=day.weekday())
    if per == "month":
        return day.replace(day=1)
    if per == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if per == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period {per!r}")


def visit_sources(actor: Any) -> list[VisitSource]:
    """The divisions whose policy sets ``service.visit_frequency``, deepest first, with the effective frequency
    there: one query for the divisions, one ``effective_policy`` per such division (a handful, never one per
    county or person). A person's place follows its deepest such ancestor."""
    from core.scoping import Action
    from policies.models import PolicyRule

    codes = sorted(
        set(
            PolicyRule.objects.for_user(actor, Action.VIEW)
            .filter(key=VISIT_FREQUENCY)
            .values_list("policy__division_id", flat=True)
        ),
        key=lambda c: (-len(c), c),
    )
    out = []
    for code in codes:
        freq = visit_frequency(effective_policy(code))
        if freq is None:
            out.append(VisitSource(code, 0, "", ""))
        else:
            out.append(VisitSource(code, freq.times, freq.per, freq.clause))
    return out


def visit_expressions(
    sources: list[VisitSource], today: dt.date, field: str = "division__pk", weekly_only: bool = False
) -> tuple[Any, Any, Any]:
    """(visits owed in the period, the period's first day, clause) per row, by the deepest source above the row's
    division code, as SQL CASEs; 0 visits owed where no rule applies (or, ``weekly_only``, the rule is not
    weekly)."""
    from django.db.models import Case, CharField, DateField, IntegerField, Value, When

    def owed(s: VisitSource) -> int:
        return s.times if (s.weekly or (not weekly_only and s.times > 0)) else 0

    def since(s: VisitSource) -> dt.date:
        return period_start(s.per, today) if s.times > 0 else today

    if not sources:
        return Value(0, output_field=IntegerField()), Value(today, output_field=DateField()), Value("")
    times = Case(
        *[When(**{f"{field}__startswith": s.division_code}, then=Value(owed(s))) for s in sources],
        default=Value(0),
        output_field=IntegerField(),
    )
    start = Case(
        *[When(**{f"{field}__startswith": s.division_code}, then=Value(since(s))) for s in sources],
        default=Value(today),
        output_field=DateField(),
    )
    clause = Case(
        *[When(**{f"{field}__startswith": s.division_code}, then=Value(s.clause)) for s in sources],
        default=Value(""),
        output_field=CharField(),
    )
    return times, start, clause


def share_finding(division_code: str, year: int, share: Decimal | None) -> Finding:
    policy = effective_policy(division_code)
    actual: Any = None if share is None else {"year": year, "value": str(share)}
    return evaluate(policy, PROFESSIONAL_SHARE, actual=actual)


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the calendar week of ``day`` (a week is counted Monday to Sunday, not 7 rolling days)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)
