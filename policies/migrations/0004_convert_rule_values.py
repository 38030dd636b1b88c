"""Convert stored rule values to the typed registry: renamed keys, durations, percentages of a base, one party
vocabulary for weights, codes instead of Chinese labels in vocabulary lists. A value that cannot be converted
faithfully is removed (the bureau sets it again in the editor); the reverse keeps the converted values."""

from decimal import Decimal

from django.db import migrations

RENAMED = {
    "contract.local_agency_preferred": "agency.local_preferred",
    "contract.nonlocal_agency_min_rating": "agency.nonlocal_min_rating",
}
DROPPED = {
    "service.catalogue_domain_counts",
    "staff.villages_per_worker",
    "staff.head_counts",
    "staff.min_certified_fulltime",
    "staff.max_age_new_hires_only",
    "evaluation.aspects",
    "evaluation.stages",
    "funding.relief_fund_cap_base",
}
CODED_LISTS = {
    "contract.procurement_methods": "procurement_methods",
    "report.agency_reports": "report_kinds",
    "funding.allowed_categories": "spending_categories",
    "funding.forbidden_categories": "spending_categories",
}


def forward(apps, schema_editor):
    from policies.registry import rules, vocabulary

    PolicyRule = apps.get_model("policies", "PolicyRule")
    registry = rules()
    by_policy = {}
    for row in PolicyRule.objects.all():
        by_policy.setdefault(row.policy_id, {})[row.key] = row
    for rows in by_policy.values():
        for key, row in list(rows.items()):
            new_key, value = RENAMED.get(key, key), row.value
            if key == "contract.filing_deadline_working_days":
                new_key, value = "contract.filing_deadline", {"amount": value, "unit": "working_days"}
            elif key == "contract.deployment_deadline_months":
                new_key, value = "contract.deployment_deadline", {"amount": value, "unit": "months"}
            elif key == "service.visit_interval_days":
                new_key, value = "service.visit_frequency", ({"times": 1, "per": "week"} if value == 7 else None)
                row.strength = "as_a_rule"
            elif key == "funding.relief_fund_cap_share":
                base = rows.get("funding.relief_fund_cap_base")
                bases = {"current_year_budget": "relief_fund_current_budget",
                         "previous_year_spending": "relief_fund_previous_spending"}
                new_key = "funding.relief_fund_cap"
                value = {"percent": str(Decimal(str(value)) * 100), "base": bases.get(base.value if base else "")}
            elif key == "funding.labour_min_share" and not isinstance(value, dict):
                value = {"percent": str(Decimal(str(value)) * 100), "base": "project_funds"}
                row.condition_code = "base_standard_raised"
                row.condition = row.condition or "后期社工站经费基础标准提高时"
            elif key == "evaluation.weights" and isinstance(value, dict):
                value = {("county_bureau" if k == "bureau" else k): v for k, v in value.items()}
            elif key == "contract.term_years" and isinstance(value, list):
                new_key = "contract.term"
                words = {"1": "one_year", "3": "three_years"}
                value = [words[v] for v in value if v in words]
            elif key == "staff.max_age":
                row.condition_code = "at_hiring"
                row.condition = row.condition or "招聘驻站社工时"
            elif key in CODED_LISTS and isinstance(value, list):
                codes = {label: code for code, label in vocabulary(CODED_LISTS[key]).items()}
                codes.update({code: code for code in vocabulary(CODED_LISTS[key])})  # already converted
                codes.update({"固定资产": "fixed_assets", "电脑、打印机等固定资产": "fixed_assets"})
                value = [codes[v] for v in value if v in codes] or None
            rule = registry.get(new_key)
            if key in DROPPED or rule is None or value is None:
                row.delete()
                continue
            try:
                value = rule.validate(value)
            except ValueError:
                row.delete()
                continue
            if new_key != key and PolicyRule.objects.filter(policy_id=row.policy_id, key=new_key).exists():
                row.delete()
                continue
            row.key, row.value = new_key, value
            row.save()


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_typed_rules_presets")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
