"""When an evaluation is due, and which stages and parties a county's policy asks for (DOMAIN §6).

The documents name the stages and the parties but give no day: 白沙 "每个服务年度进行中期、末期两次评估" and
"第三方机构、县民政局、乡镇" [002 §7(2)]; 泸州 "机构自评、实地评估……分别进行中期评估和结项评估"
[001 annex 2 item 17(4)]; 大田 "在年底组织开展绩效评价" [000 §5(5)]; 湖南 "按年度评估" [003 §4(2)]. So:

- the stages owed are the policy's ``evaluation.matrix`` stages (a yearly evaluation, ``annual``, is the service
  year's final one), else, where only ``evaluation.per_year`` is set, the final evaluation (one a year) and the
  mid-term one too (two a year);
- the parties whose scores are owed are the matrix's parties, else the parties the weights (``evaluation.weights``)
  name;
- an evaluation is due by the end of the half of the service year it closes: the mid-term one on the last day of
  the service year's sixth month, the final one on the service year's last day (never after the agreement's end),
  the same days as the agency's mid-term and final reports (evaluation.reports.calendar), moved off a rest day
  onto the next working day (民法典 第二百零三条).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from policies.policy import EffectivePolicy
from workdays.counting import WorkCalendar, add_months

MATRIX = "evaluation.matrix"
PER_YEAR = "evaluation.per_year"
WEIGHTS = "evaluation.weights"
STAGES = ("midterm", "final")


def _clause(policy: EffectivePolicy, key: str) -> str:
    rule = policy.rules.get(key)
    return rule.clause if rule is not None else ""


def stages_owed(policy: EffectivePolicy) -> tuple[frozenset[str], str, str]:
    """(stages, rule key, clause): the evaluation stages the policy asks for each service year."""
    matrix = policy.get(MATRIX)
    stages = matrix.get("stages") if isinstance(matrix, dict) else None
    if stages:
        named = {"final" if s == "annual" else str(s) for s in stages}
        return frozenset(named & set(STAGES)), MATRIX, _clause(policy, MATRIX)
    per_year = policy.get(PER_YEAR)
    if isinstance(per_year, int) and not isinstance(per_year, bool) and per_year >= 1:
        owed = {"final"} | ({"midterm"} if per_year >= 2 else set())
        return frozenset(owed), PER_YEAR, _clause(policy, PER_YEAR)
    return frozenset(), "", ""


def parties_owed(policy: EffectivePolicy) -> tuple[frozenset[str], str, str]:
    """(parties, rule key, clause): the parties whose scores the policy asks for."""
    matrix = policy.get(MATRIX)
    parties = matrix.get("parties") if isinstance(matrix, dict) else None
    if parties:
        return frozenset(str(p) for p in parties), MATRIX, _clause(policy, MATRIX)
    weights = policy.get(WEIGHTS)
    if isinstance(weights, dict) and weights:
        return frozenset(str(p) for p in weights), WEIGHTS, _clause(policy, WEIGHTS)
    return frozenset(), "", ""


def on_working_day(day: dt.date, cal: WorkCalendar) -> dt.date:
    from evaluation.reports.calendar import on_working_day as move

    return move(day, cal)


def evaluation_due(start: dt.date, end: dt.date, service_year: int, stage: str, cal: WorkCalendar) -> dt.date:
    """The due day of the ``stage`` evaluation of the agreement term ``start``–``end`` for ``service_year``."""
    first = add_months(start, 12 * max(0, service_year - start.year))
    months = 6 if stage == "midterm" else 12
    return on_working_day(min(add_months(first, months) - dt.timedelta(days=1), end), cal)


def deepest(sources: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Division-keyed values, deepest division first (the order a CASE on the code prefix must test them in)."""
    return sorted(sources, key=lambda s: (-len(s[0]), s[0]))
