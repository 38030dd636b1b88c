"""Typed rules, strength and conditions, findings, presets as templates, the editor's widgets and the pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organisation, User
from core.models import AuditLog
from policies.actions import load_preset, policy_get_or_create, policy_rule_set, validate_preset
from policies.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, evaluate
from policies.models import Policy, PolicyPreset, PolicyRule
from policies.policy import effective_policy
from policies.registry import cite, preset_files, rules
from stations.models import Division

pytestmark = pytest.mark.django_db

# (rule key, malformed value, part of the Chinese error)
MALFORMED = [
    ("evaluation.weights", {"a": 0.9, "b": "abc"}, "不是评估方"),
    (
        "evaluation.weights",
        {"third_party": "0.5", "county_bureau": "0.3", "township": "0.1"},
        "之和应恰好为 100%，现为 90%",
    ),
    ("evaluation.weights", {"third_party": "abc"}, "权重应为 0 到 1 之间的数字"),
    ("report.bureau_self_evaluation_due", "13-45", "月份应在 1 到 12 之间"),
    ("report.bureau_self_evaluation_due", "02-30", "2月没有30日"),
    ("milestone.signage_done", "2021-02-29", "不是存在的日期"),
    ("milestone.signage_done", "5月底", "应为日期"),
    ("contract.filing_deadline", {"amount": 15, "unit": "weeks"}, "计算方法"),
    ("contract.filing_deadline", {"amount": 0, "unit": "working_days"}, "正整数"),
    ("funding.relief_fund_cap", {"percent": "5", "base": "budget"}, "计算基数"),
    ("funding.relief_fund_cap", {"percent": "120", "base": "project_funds"}, "不超过 100"),
    ("station.levels", ["county_hq", "province_hq"], "不是可选的值"),
    ("funding.forbidden_categories", [], "请至少选择一项"),
    ("staff.min_education", "phd", "不是可选的值"),
    ("target.five_star_township_share", {"2021": "1.5"}, "0% 到 100%"),
    ("target.five_star_township_share", {"二〇二一": "0.1"}, "不是年份"),
    ("staff.formula", {"alternatives": [{"kind": "fulltime", "per": 6}]}, "计算单位"),
    ("staff.formula", {"alternatives": []}, "至少填写一种配备方式"),
    ("evaluation.matrix", {"parties": ["bureau"], "aspects": ["x"], "stages": ["final"]}, "评估方只能是"),
    ("service.visit_frequency", {"times": 1, "per": "7days"}, "周期"),
    ("service.visit_escalation", {"hygiene": ""}, "不能为空"),
    ("staff.max_age", "四十", "应为整数"),
    ("station.auxiliary_area_max_share", "25", "0 到 1"),
    ("station.signage_template", "{county}{town}站", "占位符 {town} 无效"),
]


@pytest.mark.parametrize(
    ("key", "value", "message"), MALFORMED, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(MALFORMED)]
)
def test_each_type_refuses_malformed_values_in_chinese(demo: None, key: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        rules()[key].validate(value)
    officer = User.objects.get(username="datian_bureau")
    policy = Policy.objects.get(division_id="350425")
    before = list(PolicyRule.objects.filter(policy=policy).values_list("key", "value"))
    with pytest.raises(ValidationError, match=re.escape(message)):
        policy_rule_set(acting_user=officer, policy=policy, key=key, value=value, clause="[000 §4(4)]")
    assert list(PolicyRule.objects.filter(policy=policy).values_list("key", "value")) == before


def test_well_formed_values_are_normalised_and_explained() -> None:
    r = rules()
    assert r["evaluation.weights"].validate({"township": "0.10", "third_party": 0.6, "county_bureau": "0.3"}) == {
        "third_party": "0.6",
        "county_bureau": "0.3",
        "township": "0.1",
    }
    assert r["report.bureau_self_evaluation_due"].validate("2-29") == "02-29"
    filing = r["contract.filing_deadline"]
    assert filing.display(filing.validate({"amount": "15", "unit": "working_days"})) == "协议签订之日起15个工作日内"
    cap = r["funding.relief_fund_cap"]
    assert cap.display({"percent": "5", "base": "relief_fund_current_budget"}) == (
        "不超过当年困难群众救助补助资金年度预算总额的5%"
    )
    luzhou = {
        "alternatives": [
            {"kind": "fulltime", "minimum": 2, "certificate": "assistant", "head_counted": True},
            {"kind": "parttime", "with_volunteers": True},
        ]
    }
    text = r["staff.formula"].display(r["staff.formula"].validate(luzhou))
    assert "不少于2名专职社会工作者" in text and "；或 数名兼职社会工作者" in text and "若干志愿者" in text
    assert r["station.signage_template"].display(
        "{county}{township}社会工作服务站", {"county": "大田县", "township": "均溪镇"}
    ) == ("大田县均溪镇社会工作服务站")
    assert cite("[000 §4(2)]") == "田政办〔2021〕25号 第四部分第（二）项"
    assert cite("[001 annex 2 item 17(4)]") == "《泸州市社会工作服务体系建设试点工作方案》 附件2第17条第（四）项"


def test_a_malformed_preset_file_is_refused(tmp_path: Path) -> None:
    data = json.loads(preset_files()[0].read_text(encoding="utf-8"))
    for bad, message in [
        (
            {"key": "evaluation.weights", "value": {"a": 0.9, "b": "abc"}, "clause": f"[{data['seed']} §7(2)]"},
            "不是评估方",
        ),
        ({"key": "report.bureau_self_evaluation_due", "value": "13-45", "clause": f"[{data['seed']} §5(5)]"}, "月份"),
        ({"key": "staff.max_age", "value": 40, "strength": "strict", "clause": f"[{data['seed']} §4(4)]"}, "约束强度"),
        ({"key": "staff.max_age", "value": 40, "clause": "[999 §4(4)]"}, "不是该文件的条款"),
    ]:
        broken = {**data, "rules": [bad]}
        path = tmp_path / "broken.json"
        path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(ValidationError, match=message):
            load_preset(path)
    for path in preset_files():  # and every shipped preset validates
        validate_preset(json.loads(path.read_text(encoding="utf-8")), path.name)


def test_fidelity_of_the_presets() -> None:
    by_code = {p.code: {r["key"]: r for r in p.rules} for p in PolicyPreset.objects.all()}
    baisha, luzhou, nantong = by_code["baisha-2023"], by_code["luzhou-2021"], by_code["nantong-2022"]
    assert baisha["funding.labour_min_share"]["condition_code"] == "base_standard_raised"
    assert "后期社工站经费基础标准提高时" in baisha["funding.labour_min_share"]["quote"]
    assert nantong["service.visit_frequency"]["value"] == {"times": 1, "per": "week"}
    assert nantong["service.visit_frequency"]["strength"] == "as_a_rule"
    formula = nantong["staff.formula"]["value"]["alternatives"][0]
    assert formula["per"] == 6 and formula["head_counted"] is False and "工作量" in formula["basis"]
    assert luzhou["report.monitoring_cadence"]["condition_code"] == "pilot_project"
    assert "station.functional_rooms" not in luzhou and luzhou["station.independent_office_area"]["value"] is True
    assert len(luzhou["staff.formula"]["value"]["alternatives"]) == 2
    for code in ("datian-2021", "baisha-2023", "hunan-2021"):
        assert by_code[code]["staff.max_age"]["condition_code"] == "at_hiring", code
    assert set(baisha["evaluation.weights"]["value"]) == {"third_party", "county_bureau", "township"}
    nt = PolicyPreset.objects.get(code="nantong-2022")
    assert not nt.binding and "未写明" in nt.scope_note
    assert not PolicyPreset.objects.filter(
        code="nantong-2022", rules__contains=[{"key": "evaluation.pass_mark"}]
    ).exists()


def _county(code: str, name: str, parent: str, parent_name: str) -> Division:
    Division.objects.get_or_create(code=parent[:2], defaults={"name": "省", "level": 1})
    Division.objects.get_or_create(code=parent, defaults={"name": parent_name, "level": 2, "parent_id": parent[:2]})
    return Division.objects.get_or_create(code=code, defaults={"name": name, "level": 3, "parent_id": parent})[0]


def _bureau(division: Division, username: str) -> User:
    org = Organisation.objects.create(kind="bureau", name=f"{division.name}民政局", division=division)
    return User.objects.create_user(username, password="Xx-12345678", organisation=org)


def test_nantong_counties_inherit_nothing_until_a_bureau_adopts_the_preset(demo: None, client) -> None:  # type: ignore[no-untyped-def]
    rugao = _county("320682", "如皋市", "3206", "南通市")
    haimen = _county("320684", "海门区", "3206", "南通市")
    assert not Policy.objects.filter(division_id="3206").exists()
    for county in (rugao, haimen):
        policy = effective_policy(county.code)
        assert not policy.has_policy
        finding = evaluate(policy, "service.visit_frequency", actual=0)
        assert finding.outcome == UNKNOWN and "本区划尚无适用的实施方案" in finding.message
    officer = _bureau(rugao, "rugao_bureau")
    client.force_login(officer)
    page = client.get("/policies/effective/?division=320682").content.decode()
    assert "本区划尚无适用的实施方案" in page
    response = client.post("/policies/adopt/", {"preset": "nantong-2022"})
    assert response.status_code == 302
    preset = PolicyPreset.objects.get(code="nantong-2022")
    policy = Policy.objects.get(division_id="320682")
    assert policy.rules.count() == len(preset.rules) and policy.preset == "nantong-2022"
    logs = AuditLog.objects.filter(division_code="320682", user=officer)
    assert logs.filter(object_type="policies.PolicyRule", event="create").count() == len(preset.rules)
    assert logs.filter(object_type="policies.Policy").exists()
    adopted = effective_policy("320682").rules["service.visit_frequency"]
    assert adopted.strength == "as_a_rule" and adopted.clause == "[004 §2]"
    assert not effective_policy(haimen.code).has_policy  # the neighbour still inherits nothing
    # Another county's bureau cannot adopt for Rugao; a township cannot adopt at all.
    client.force_login(_bureau(haimen, "haimen_bureau"))
    client.post("/policies/adopt/", {"preset": "baisha-2023"})
    assert Policy.objects.get(division_id="320682").preset == "nantong-2022"
    client.force_login(User.objects.get(username="junxi_town"))
    assert client.post("/policies/adopt/", {"preset": "baisha-2023"}).status_code == 404


def test_conditional_rule_is_not_applicable_and_missing_rule_is_unknown(demo: None) -> None:
    baisha = effective_policy("469025")
    facts = {"amount": 162000, "base_amount": 220000}
    raised = evaluate(baisha, "funding.labour_min_share", actual=facts, conditions={"base_standard_raised": True})
    assert raised.outcome == PASS and raised.citation.endswith("第四部分")
    now = evaluate(baisha, "funding.labour_min_share", actual=facts, conditions={"base_standard_raised": False})
    assert now.outcome == NOT_APPLICABLE and "后期社工站经费基础标准提高时" in now.message
    assert evaluate(baisha, "funding.labour_min_share", actual=facts).outcome == UNKNOWN
    missing = evaluate(baisha, "staff.probation_max_months", actual=12)
    assert missing.outcome == UNKNOWN and not missing.blocking
    datian = effective_policy("350425100")
    young = evaluate(datian, "staff.max_age", actual=41, conditions={"at_hiring": True})
    assert young.outcome == FAIL and young.blocking and young.citation == "田政办〔2021〕25号 第四部分第（四）项"
    staying = evaluate(datian, "staff.max_age", actual=52, conditions={"at_hiring": False})
    assert staying.outcome == NOT_APPLICABLE
    cap = evaluate(datian, "funding.relief_fund_cap", actual={"amount": 60000, "base_amount": 1000000})
    assert cap.outcome == FAIL and "6.00%" in cap.message
    assert evaluate(datian, "milestone.signage_done", actual=dt.date(2021, 5, 31)).outcome == PASS
    assert evaluate(datian, "report.bureau_self_evaluation_due", actual=dt.date(2025, 12, 1)).outcome == FAIL
    assert set(cap.to_dict()) >= {"rule_key", "strength", "facts", "outcome", "clause", "citation", "blocking"}


def test_as_a_rule_needs_a_reason_and_preferences_never_block(demo: None) -> None:
    county = _county("320682", "如皋市", "3206", "南通市")
    officer = _bureau(county, "rugao2")
    policy = policy_get_or_create(acting_user=officer, division=county)
    formula = {
        "alternatives": [{"kind": "fulltime", "minimum": 3, "per": 6, "unit": "villages", "head_counted": False}]
    }
    policy_rule_set(
        acting_user=officer,
        policy=policy,
        key="staff.formula",
        value=formula,
        clause="[004 §3(4)]",
        strength="as_a_rule",
    )
    eff = effective_policy(county.code)
    facts = {"units": 24, "staff": 4, "head_included": True}
    short = evaluate(eff, "staff.formula", actual=facts)
    assert short.outcome == FAIL and short.blocking and "应 4 人，实际 3 人" in short.message
    excused = evaluate(eff, "staff.formula", actual=facts, reason="巡访对象少，县民政局同意")
    assert excused.outcome == FAIL and not excused.blocking
    assert evaluate(eff, "staff.formula", actual={**facts, "staff": 5}).outcome == PASS


def test_a_lower_level_declares_an_inherited_rule_not_applicable(demo: None) -> None:
    county = _county("430121", "长沙县", "4301", "长沙市")
    officer = _bureau(county, "cs_na")
    assert effective_policy(county.code).get("staff.pay_multiplier") == "1.2"
    policy = policy_get_or_create(acting_user=officer, division=county)
    policy_rule_set(
        acting_user=officer,
        policy=policy,
        key="staff.pay_multiplier",
        value=None,
        not_applicable=True,
        clause="长沙县民政局补充通知 第二条",
    )
    eff = effective_policy(county.code)
    rule = eff.rules["staff.pay_multiplier"]
    assert rule.not_applicable and eff.get("staff.pay_multiplier") is None
    assert [s.division_code for s in rule.overridden] == ["43"]
    finding = evaluate(eff, "staff.pay_multiplier", actual="1.0")
    assert finding.outcome == NOT_APPLICABLE and finding.citation == "长沙县民政局补充通知 第二条"


def test_dated_rules_answer_plain_iso_values(demo: None) -> None:
    eff = effective_policy("350425100")
    assert eff.get("milestone.signage_done") == "2021-05-31"
    assert eff.get("report.bureau_self_evaluation_due") == "11-30"
    assert eff.get("contract.filing_deadline") == {"amount": 15, "unit": "working_days"}
    assert effective_policy("469025").get("milestone.site_secured") == "2023-02-28"


# --- the editor through HTTP -------------------------------------------------------------------------------


def _post(client, key: str, **fields: Any):  # type: ignore[no-untyped-def]
    prefix = "r-" + key.replace(".", "-").replace("_", "-")
    data = {"key": key, "op": "set", f"{prefix}-strength": fields.pop("strength", "must")}
    data[f"{prefix}-clause"] = fields.pop("clause", "田政办〔2021〕25号 第七部分第（三）项")
    for name, value in fields.items():
        data[f"{prefix}-{name}"] = value
    return client.post("/policies/edit/", data, HTTP_HX_REQUEST="true")


def test_editor_widgets_validate_like_the_api(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    page = client.get("/policies/edit/").content.decode()
    assert 'name="r-evaluation-weights-value_third_party"' in page and 'type="date"' in page
    assert 'type="checkbox" name="r-station-levels-value"' in page
    bad = _post(client, "evaluation.weights", value_third_party="50", value_county_bureau="30", value_township="10")
    assert "各方权重之和应恰好为 100%，现为 90%" in bad.content.decode()
    assert not PolicyRule.objects.filter(policy__division_id="350425", key="evaluation.weights").exists()
    ok = _post(client, "evaluation.weights", value_third_party="60", value_county_bureau="30", value_township="10")
    assert "已保存" in ok.content.decode()
    row = PolicyRule.objects.get(policy__division_id="350425", key="evaluation.weights")
    assert row.value == {"third_party": "0.6", "county_bureau": "0.3", "township": "0.1"}
    assert "第三方机构 60%" in ok.content.decode()
    bad_day = _post(client, "report.bureau_self_evaluation_due", value_month="2", value_day="30")
    assert "2月没有30日" in bad_day.content.decode()
    _post(
        client,
        "staff.formula",
        strength="as_a_rule",
        value_a1_kind="fulltime",
        value_a1_minimum="3",
        value_a1_per="6",
        value_a1_unit="villages",
        value_a2_kind="parttime",
        value_a2_with_volunteers="on",
        condition="巡访对象较多的乡镇",
    )
    rule = PolicyRule.objects.get(policy__division_id="350425", key="staff.formula")
    assert rule.strength == "as_a_rule" and rule.condition == "巡访对象较多的乡镇"
    assert [a["kind"] for a in rule.value["alternatives"]] == ["fulltime", "parttime"]
    _post(client, "funding.relief_fund_cap", value_percent="4", value_base="relief_fund_previous_spending")
    assert PolicyRule.objects.get(policy__division_id="350425", key="funding.relief_fund_cap").value == {
        "percent": "4",
        "base": "relief_fund_previous_spending",
    }
    _post(client, "contract.filing_deadline", value_amount="10", value_unit="calendar_days")
    assert effective_policy("350425").get("contract.filing_deadline") == {"amount": 10, "unit": "calendar_days"}
    _post(client, "funding.forbidden_categories", value=["utilities", "renovation"])
    assert effective_policy("350425").get("funding.forbidden_categories") == ["utilities", "renovation"]
    empty = _post(client, "milestone.site_secured", value="")
    assert "请填写取值，或勾选“本级不适用”" in empty.content.decode()


INTERNAL = re.compile(r"\b(?:station|staff|contract|funding|report|evaluation|service|target|milestone)\.[a-z_]+\b")


@pytest.mark.parametrize("username", ["datian_bureau", "junxi_town", "agency_sunshine", "evaluator", "fj_province"])
def test_pages_show_no_rule_keys_templates_or_internal_citations(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    urls = ["/policies/effective/?division=350425100&all=1", "/policies/effective/", "/catalogue/", "/policies/"]
    if username == "datian_bureau":
        urls.append("/policies/edit/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S))
        assert not INTERNAL.search(text), (url, INTERNAL.search(text))
        for internal in ("[000 ", "[002 ", "来源文件 000", "{county}", "{township}", "baisha-2023", "luzhou-2021"):
            assert internal not in text, (url, internal)


def test_effective_page_opens_on_the_rules_that_apply(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    short = client.get("/policies/effective/?division=350425100").content.decode()
    full = client.get("/policies/effective/?division=350425100&all=1").content.decode()
    assert 'id="to-decide"' in short and "评估合格分数线" in short.split('id="to-decide"')[1][:400]
    assert short.count('class="list-group-item policy-row"') == len(PolicyPreset.objects.get(code="datian-2021").rules)
    assert short.count("policy-row unset") == 0 and full.count("policy-row unset") > 0
    assert "田政办〔2021〕25号 第五部分第（三）项" in short and "大田县均溪镇社会工作服务站" in short


def test_api_effective_policy_carries_strength_condition_and_citation(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    body = client.get("/api/v1/policies/effective/?division=350425").json()
    by_key = {r["key"]: r for r in body["rules"]}
    age = by_key["staff.max_age"]
    assert age["strength"] == "must" and age["condition_code"] == "at_hiring" and age["status"] == "applies"
    assert age["citation"] == "田政办〔2021〕25号 第四部分第（四）项" and age["clause"] == "[000 §4(4)]"
    assert body["has_policy"] is True and body["notice"] == ""
    assert by_key["evaluation.pass_mark"]["status"] == "unset" and by_key["evaluation.pass_mark"]["ask_bureau"]
    findings = client.post(
        "/api/v1/policies/evaluate/",
        {
            "division": "350425",
            "checks": [
                {"key": "staff.max_age", "actual": 41, "conditions": {"at_hiring": True}},
                {"key": "evaluation.pass_mark", "actual": 80},
                {"key": "milestone.signage_done", "actual": "2021-06-01"},
            ],
        },
        content_type="application/json",
    ).json()
    assert [f["outcome"] for f in findings] == ["fail", "unknown", "fail"]
    assert findings[0]["citation"] == "田政办〔2021〕25号 第四部分第（四）项" and findings[0]["blocking"]
    presets = client.get("/api/v1/policies/presets/").json()
    assert {p["code"] for p in presets} == {p.code for p in PolicyPreset.objects.all()}
    refused = client.post(
        "/api/v1/policies/adopt/", {"division": "469025", "preset": "hunan-2021"}, content_type="application/json"
    )
    assert refused.status_code == 404
    assert (
        user_client("junxi_town")
        .post("/api/v1/policies/evaluate/", {"division": "469025", "checks": []}, content_type="application/json")
        .status_code
        == 404
    )
