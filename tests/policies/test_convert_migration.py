"""The data migration that converts values stored before the typed registry (policies 0004)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from policies.models import Policy, PolicyRule
from stations.models import Division

pytestmark = pytest.mark.django_db

convert = importlib.import_module("policies.migrations.0004_convert_rule_values")


def test_old_values_are_converted_or_dropped(demo: None) -> None:
    division = Division.objects.get(code="350425100")
    policy = Policy.objects.create(division=division, name="旧方案")
    old = {
        "contract.filing_deadline_working_days": 15,
        "contract.deployment_deadline_months": 1,
        "service.visit_interval_days": 7,
        "funding.relief_fund_cap_share": "0.05",
        "funding.relief_fund_cap_base": "current_year_budget",
        "funding.labour_min_share": "0.70",
        "evaluation.weights": {"third_party": "0.60", "bureau": "0.30", "township": "0.10"},
        "contract.term_years": ["1", "3"],
        "contract.procurement_methods": ["公开招标", "单一来源采购"],
        "funding.forbidden_categories": ["水电费", "电脑、打印机等固定资产"],
        "contract.local_agency_preferred": True,
        "staff.max_age": 40,
        "staff.max_age_new_hires_only": True,
        "service.catalogue_domain_counts": {"社会救助": 7},
        "report.bureau_self_evaluation_due": "13-45",
    }
    PolicyRule.objects.bulk_create([PolicyRule(policy=policy, key=k, value=v) for k, v in old.items()])
    current = sorted(PolicyRule.objects.exclude(policy=policy).values_list("id", "key", "value", "condition_code"))
    convert.forward(apps, None)
    # Values already in the typed form (the adopted presets) are left as they are.
    assert (
        sorted(PolicyRule.objects.exclude(policy=policy).values_list("id", "key", "value", "condition_code")) == current
    )
    rows = {r.key: r for r in PolicyRule.objects.filter(policy=policy)}
    assert rows["contract.filing_deadline"].value == {"amount": 15, "unit": "working_days"}
    assert rows["contract.deployment_deadline"].value == {"amount": 1, "unit": "months"}
    visits = rows["service.visit_frequency"]
    assert visits.value == {"times": 1, "per": "week"} and visits.strength == "as_a_rule"
    assert rows["funding.relief_fund_cap"].value == {"percent": "5", "base": "relief_fund_current_budget"}
    labour = rows["funding.labour_min_share"]
    assert (
        labour.value == {"percent": "70", "base": "project_funds"} and labour.condition_code == "base_standard_raised"
    )
    assert rows["evaluation.weights"].value == {"third_party": "0.6", "county_bureau": "0.3", "township": "0.1"}
    assert rows["contract.term"].value == ["one_year", "three_years"]
    assert rows["contract.procurement_methods"].value == ["open_tender", "single_source"]
    assert rows["funding.forbidden_categories"].value == ["utilities", "fixed_assets"]
    assert rows["agency.local_preferred"].value is True
    assert rows["staff.max_age"].condition_code == "at_hiring"
    dropped = {"staff.max_age_new_hires_only", "service.catalogue_domain_counts", "funding.relief_fund_cap_base"}
    assert not dropped & set(rows) and "report.bureau_self_evaluation_due" not in rows  # 13-45 cannot be kept
    for row in rows.values():
        row.full_clean()  # everything left is valid under the typed registry
