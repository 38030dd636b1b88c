"""Test support: the dated milestone rules of the Datian plan, on the demo's Datian policy.

The typed rule registry (policies issue) declares the ``milestone.*`` keys and the presets carry their
values; until that lands on this branch, ``ensure_milestone_rules`` adds the keys to the loaded registry
(only where missing) so that ``effective_policy`` reads them like any other rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from obligations.sweep import SweepResult, run_sweep
from policies.models import Policy, PolicyRule
from policies.registry import RuleDef, rules

# Datian [000]: values and clauses as the document states them.
DATIAN_MILESTONES = {
    "milestone.signage_done": ("2021-05-31", "[000 §4(5)]", "各乡(镇)要在2021年5月底前全部完成挂牌"),
    "milestone.staff_deployed": ("2021-06-10", "[000 §5(4)]", "开展驻站服务(2021 年 6 月上旬完成)"),
}
LABELS = {
    "milestone.signage_done": "完成挂牌（揭牌）",
    "milestone.staff_deployed": "驻站社工到岗、开展驻站服务",
    "milestone.site_secured": "落实社工站场地",
}


def ensure_milestone_rules() -> None:
    registry = rules()
    for key, label in LABELS.items():
        if key not in registry:
            registry[key] = RuleDef(key=key, label=label, type="text", section="stations")


def set_rule(division_code: str, key: str, value: Any, clause: str = "", quote: str = "") -> PolicyRule:
    ensure_milestone_rules()
    policy, _ = Policy.objects.get_or_create(division_id=division_code, defaults={"name": f"测试方案 {division_code}"})
    rule, _ = PolicyRule.objects.update_or_create(
        policy=policy, key=key, defaults={"value": value, "clause": clause, "quote": quote}
    )
    return rule


def datian_milestones() -> None:
    for key, (value, clause, quote) in DATIAN_MILESTONES.items():
        set_rule("350425", key, value, clause, quote)


def sweep(day: dt.date | None = None, kinds: list[str] | None = None) -> SweepResult:
    return run_sweep(today=day or dt.date(2026, 11, 24), kind_keys=kinds)
