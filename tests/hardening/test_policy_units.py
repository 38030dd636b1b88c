"""Direct checks of policies/policy.py (the effective policy's records), written for the mutants that the
inheritance tests left alive: what an unset, a set and a 不适用 rule answer, and that the records are frozen."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from policies.policy import EffectivePolicy, EffectiveRule, Source, effective_policy
from policies.registry import rules

KEY = "station.office_area_min"  # 办公用房面积下限（含本数）, an int in m²


def _source(**changes: Any) -> Source:
    fields: dict[str, Any] = {
        "division_code": "350425",
        "division_name": "大田县",
        "policy_name": "大田县实施方案",
        "value": 20,
        "clause": "[000 §5(3)]",
        "quote": "办公用房不少于20平方米",
        "strength": "as_a_rule",
        "condition": "",
        "condition_code": "",
        "not_applicable": False,
        "note": "",
    }
    fields.update(changes)
    return Source(**fields)


def test_the_records_cannot_be_changed_in_place() -> None:
    source = _source()
    rule = EffectiveRule(rule=rules()[KEY], value=20, source=source)
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.value = 30  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.value = 30  # type: ignore[misc]


def test_an_unset_rule_answers_nothing_and_says_so() -> None:
    rule = EffectiveRule(rule=rules()[KEY], value=None, source=None)
    assert rule.key == KEY and rule.overridden == ()
    assert (rule.is_set, rule.applies, rule.not_applicable) == (False, False, False)
    assert (rule.clause, rule.citation_text, rule.strength, rule.strength_label) == ("", "", "", "")
    assert (rule.condition, rule.condition_code) == ("", "")
    assert rule.citation() == "办公用房面积下限（含本数）：未规定"


def test_a_set_rule_answers_its_value_source_clause_and_strength() -> None:
    province = _source(division_code="35", division_name="福建省", value=15)
    rule = EffectiveRule(rule=rules()[KEY], value=20, source=_source(), overridden=(province,))
    assert (rule.is_set, rule.applies, rule.not_applicable) == (True, True, False)
    assert rule.clause == "[000 §5(3)]"
    assert rule.citation_text == "田政办〔2021〕25号 第五部分第（三）项" == rule.source.citation  # type: ignore[union-attr]
    assert (rule.strength, rule.strength_label) == ("as_a_rule", "原则上")
    assert rule.display == "20 m²"
    assert rule.citation() == "办公用房面积下限（含本数）：20 m²（大田县，田政办〔2021〕25号 第五部分第（三）项）"
    assert rule.overridden == (province,)


def test_a_condition_is_the_written_one_else_the_label_of_its_code() -> None:
    written = EffectiveRule(
        rule=rules()[KEY], value=20, source=_source(condition="新建站点", condition_code="at_hiring")
    )
    assert written.condition == "新建站点" and written.condition_code == "at_hiring"
    coded = EffectiveRule(rule=rules()[KEY], value=20, source=_source(condition_code="at_hiring"))
    assert coded.condition == "招聘新进人员时"
    assert EffectiveRule(rule=rules()[KEY], value=20, source=_source()).condition == ""


def test_a_rule_declared_not_applicable_is_set_but_does_not_apply() -> None:
    rule = EffectiveRule(rule=rules()[KEY], value=None, source=_source(not_applicable=True))
    assert (rule.is_set, rule.applies, rule.not_applicable) == (True, False, True)
    assert rule.display == "本级不适用"
    policy = EffectivePolicy(division_code="350425", rules={KEY: rule})
    assert policy.get(KEY) is None and policy.get(KEY, 7) == 7
    assert policy.has_policy and policy.sources() == ["350425"]


def test_the_effective_policy_answers_values_that_apply_and_lists_its_sources() -> None:
    registry = rules()
    other = "station.office_area_max"
    policy = EffectivePolicy(
        division_code="350425100",
        rules={
            KEY: EffectiveRule(rule=registry[KEY], value=20, source=_source()),
            other: EffectiveRule(rule=registry[other], value=60, source=_source(division_code="35", value=60)),
            "station.levels": EffectiveRule(rule=registry["station.levels"], value=None, source=None),
        },
    )
    assert policy.get(KEY) == 20 and policy.get(other, 0) == 60
    assert policy.get("station.levels", "none") == "none" and policy.get("no.such.key", 1) == 1
    assert policy.sources() == ["35", "350425"]
    assert policy.has_policy
    empty = EffectivePolicy(division_code="469025")
    assert empty.rules == {} and not empty.has_policy and empty.sources() == []
    assert not EffectivePolicy(
        division_code="469025", rules={KEY: EffectiveRule(rule=registry[KEY], value=None, source=None)}
    ).has_policy


@pytest.mark.django_db
def test_the_deepest_value_wins_and_the_ones_above_are_kept_in_order(demo: None) -> None:
    from policies.models import Policy, PolicyRule

    for code, value in (("35", 12), ("3504", 16)):
        policy, _ = Policy.objects.get_or_create(division_id=code, defaults={"name": f"单元{code}方案"})
        PolicyRule.objects.update_or_create(
            policy=policy, key=KEY, defaults={"value": value, "clause": "[000 §5(3)]", "strength": "must"}
        )
    PolicyRule.objects.update_or_create(
        policy=Policy.objects.get(division_id="350425"),
        key=KEY,
        defaults={"value": 20, "clause": "[000 §5(3)]", "strength": "must", "not_applicable": False},
    )
    town = effective_policy("350425100")
    rule = town.rules[KEY]
    assert rule.value == 20 and rule.source is not None and rule.source.division_code == "350425"
    assert [s.division_code for s in rule.overridden] == ["3504", "35"]
    assert [s.value for s in rule.overridden] == [16, 12]
    assert set(town.rules) == set(rules())  # every rule answered, set or not
    city = effective_policy("3504")
    assert city.get(KEY) == 16 and [s.division_code for s in city.rules[KEY].overridden] == ["35"]
    PolicyRule.objects.filter(policy__division_id="350425", key=KEY).update(not_applicable=True)
    declined = effective_policy("350425100").rules[KEY]
    assert declined.value is None and declined.not_applicable and effective_policy("350425100").get(KEY, 0) == 0
    nothing = effective_policy("110101")  # 东城区: no policy on it or above
    assert not nothing.has_policy and nothing.rules[KEY].source is None and nothing.rules[KEY].overridden == ()
