"""Policy inheritance: a value is inherited down the tree, overridden per rule, and always cited."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import User
from core.models import AuditLog
from policies.actions import policy_get_or_create, policy_rule_clear, policy_rule_set
from policies.models import Policy, PolicyPreset, PolicyRule
from policies.policy import effective_policy
from policies.registry import cite, preset_files, rules
from stations.models import Division

pytestmark = pytest.mark.django_db


def test_every_preset_loads_with_valid_values_and_citations(demo: None) -> None:
    registry = rules()
    used: set[str] = set()
    for path in preset_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        preset = PolicyPreset.objects.get(code=data["code"])
        assert len(preset.rules) == len(data["rules"])
        for r in data["rules"]:
            assert r["key"] in registry, r["key"]
            assert registry[r["key"]].validate(r["value"]) == r["value"], r["key"]
            assert r["clause"].startswith(f"[{data['seed']} "), (path.name, r["key"], r["clause"])
            assert cite(r["clause"]) != r["clause"], r["clause"]  # the document's own article
            used.add(r["key"])
        if data["binding"]:  # the demo adopts each document where it was issued
            policy = Policy.objects.get(division_id=data["division"])
            assert policy.rules.count() == len(data["rules"]) and policy.preset == data["code"]
    silent = {k for k, r in registry.items() if r.ask_bureau}
    assert used | silent == set(registry), f"registry keys no preset uses: {set(registry) - used - silent}"
    assert not used & silent, "a rule the documents are silent on must not be filled by a preset"
    assert {p.division_id for p in Policy.objects.all()} >= {"350425", "5105", "469025", "43"}


def test_township_inherits_county_values_with_source_and_clause(demo: None) -> None:
    eff = effective_policy("350425100")  # 均溪镇 under 大田县
    age = eff.rules["staff.max_age"]
    assert age.value == 40
    assert age.source is not None and age.source.division_code == "350425"
    assert age.clause.startswith("[000 ")
    assert "大田县" in age.citation() and "田政办〔2021〕25号 第四部分第（四）项" in age.citation()


def test_baisha_and_datian_disagree_as_the_documents_do(demo: None) -> None:
    assert effective_policy("469025").get("staff.max_age") == 45
    assert effective_policy("350425").get("staff.max_age") == 40


def test_unset_rule_is_reported_as_not_set(demo: None) -> None:
    eff = effective_policy("350425100")
    unset = [r for r in eff.rules.values() if r.source is None]
    assert unset, "Datian does not set every rule"
    assert all(r.value is None and r.citation().endswith("未规定") for r in unset)


def test_county_override_replaces_province_value_and_keeps_the_overridden_one(demo: None) -> None:
    # A Hunan county (长沙县 430121) inherits from 湖南省 (43) until it overrides.
    Division.objects.get_or_create(code="4301", defaults={"name": "长沙市", "level": 2, "parent_id": "43"})
    county = Division.objects.get_or_create(
        code="430121", defaults={"name": "长沙县", "level": 3, "parent_id": "4301"}
    )[0]
    key = "staff.max_age"
    hunan = effective_policy("430121").rules[key]
    assert hunan.source is not None and hunan.source.division_code == "43"

    from accounts.models import Organisation

    bureau = Organisation.objects.create(kind="bureau", name="长沙县民政局", division=county)
    officer = User.objects.create_user("cs_bureau", password="Xx-12345678", organisation=bureau)
    policy = policy_get_or_create(acting_user=officer, division=county)
    policy_rule_set(acting_user=officer, policy=policy, key=key, value="38", clause="[长沙县补充通知 §2]")

    eff = effective_policy("430121").rules[key]
    assert eff.value == 38
    assert eff.source is not None and eff.source.division_code == "430121"
    assert [s.division_code for s in eff.overridden] == ["43"]
    # Other rules are still inherited from the province.
    # Other rules Hunan sets are still inherited from the province (chosen from the data, so the check runs).
    hunan_rules = effective_policy("43").rules
    others = [k for k, r in hunan_rules.items() if k != key and r.source is not None and r.source.division_code == "43"]
    assert others, "Hunan's preset sets more than one rule"
    for other in others:
        inherited = effective_policy("430121").rules[other]
        assert inherited.source is not None and inherited.source.division_code == "43", other
        assert inherited.value == hunan_rules[other].value
    log = AuditLog.objects.filter(object_type="policies.PolicyRule", division_code="430121").latest("at")
    assert log.changes["value"] == {"before": None, "after": 38}

    policy_rule_clear(acting_user=officer, policy=policy, key=key)
    assert effective_policy("430121").rules[key].source.division_code == "43"  # type: ignore[union-attr]
    assert AuditLog.objects.filter(object_type="policies.PolicyRule", event="delete").exists()


def test_bad_value_and_missing_clause_are_refused_in_chinese(demo: None) -> None:
    officer = User.objects.get(username="datian_bureau")
    policy = Policy.objects.get(division_id="350425")
    before = PolicyRule.objects.get(policy=policy, key="staff.max_age").value
    with pytest.raises(ValidationError, match="整数"):
        policy_rule_set(acting_user=officer, policy=policy, key="staff.max_age", value="四十", clause="[000 §4(4)]")
    with pytest.raises(ValidationError, match="条款"):
        policy_rule_set(acting_user=officer, policy=policy, key="staff.max_age", value="41", clause=" ")
    with pytest.raises(ValidationError, match="约束强度"):
        policy_rule_set(
            acting_user=officer, policy=policy, key="staff.max_age", value="41", clause="[000 §4(4)]", strength="x"
        )
    assert PolicyRule.objects.get(policy=policy, key="staff.max_age").value == before


@pytest.mark.parametrize("username", ["junxi_town", "agency_sunshine", "evaluator", "fj_province"])
def test_only_the_owning_bureau_edits_a_policy(demo: None, username: str) -> None:
    policy = Policy.objects.get(division_id="350425")
    # A role that may not take the action is refused like an object out of scope (core.actions: 404).
    with pytest.raises((PermissionDenied, Http404)):
        policy_rule_set(
            acting_user=User.objects.get(username=username),
            policy=policy,
            key="staff.max_age",
            value="41",
            clause="[000 §4(4)]",
        )


def test_effective_policy_is_one_query(demo: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        effective_policy("350425100")
