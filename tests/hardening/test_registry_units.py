"""Direct unit tests of the policy-rule registry (policies/registry.py): no database, so a mutant fails in seconds.

Every value type's accepted and refused inputs with the exact normalised value or the exact Chinese message, the
bounds at the limit and one over, each display format, each citation form and the loading of policies/data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from policies import registry
from policies.registry import (
    RuleDef,
    _cn_number,
    _decimal,
    _int,
    cite,
    cn_date,
    document_name,
    documents,
    label_of,
    percent_text,
    preset_files,
    render_template,
    required_staff,
    rules,
    staffing_text,
    strength_label,
    vocabularies,
    vocabulary,
)

AB = (("a", "甲"), ("b", "乙"))
PARTIES = "第三方机构、县民政局、乡镇"
STAGES = "机构自评、中期评估、末期（结项）评估、年度绩效评价"
KINDS = "驻站社工、专职社会工作者、兼职社会工作者"
UNITS = "村、社区、村（社区）、分散供养特困人员"


def make(type_: str, **kwargs: Any) -> RuleDef:
    return RuleDef(key="k", label="标签", type=type_, section="s", **kwargs)


def refusal(rule: RuleDef, value: Any) -> str:
    with pytest.raises(ValueError) as caught:
        rule.validate(value)
    return str(caught.value)


# --- vocabularies, labels, small helpers ------------------------------------------------------------------


def test_vocabulary_is_the_code_to_label_map_in_its_order() -> None:
    assert vocabulary("periods") == {"week": "自然周", "month": "自然月", "quarter": "季度", "year": "年度"}
    assert list(vocabulary("evaluation_parties")) == ["third_party", "county_bureau", "township"]
    assert vocabularies()["periods"]["label"] == "周期"
    assert vocabularies() is vocabularies()  # loaded once


def test_label_of_known_and_unknown_codes() -> None:
    assert label_of("periods", "week") == "自然周"
    assert label_of("periods", "fortnight") == "fortnight"
    assert label_of("periods", 7) == "7"


def test_strength_label_drops_the_explanation_in_brackets() -> None:
    assert strength_label("must") == "必须"
    assert strength_label("as_a_rule") == "原则上"
    assert strength_label("target") == "目标"
    assert strength_label("unknown") == "unknown"


def test_decimal_parses_trimmed_finite_numbers() -> None:
    assert _decimal(" 1.50 ", "m") == Decimal("1.50")
    assert _decimal(3, "m") == Decimal(3)
    assert _decimal("-2", "m") == Decimal(-2)


@pytest.mark.parametrize("value", [True, False, None, "abc", "", "NaN", "Infinity", "-Infinity", "sNaN", [1]])
def test_decimal_refuses_with_the_given_message(value: Any) -> None:
    with pytest.raises(ValueError) as caught:
        _decimal(value, "坏数字")
    assert str(caught.value) == "坏数字"
    assert caught.value.__cause__ is None


def test_int_parses_trimmed_integers() -> None:
    assert _int(" 7 ", "m") == 7
    assert _int(-3, "m") == -3
    assert _int("0", "m") == 0
    assert _int(2.0, "m") == 2 and type(_int(2.0, "m")) is int  # a whole float from a JSON client
    assert _int(-15.0, "m") == -15


@pytest.mark.parametrize("value", [True, False, None, 2.5, float("inf"), float("nan"), "2.0", "x", "", [1], {}])
def test_int_refuses_with_the_given_message(value: Any) -> None:
    with pytest.raises(ValueError) as caught:
        _int(value, "坏整数")
    assert str(caught.value) == "坏整数"
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("share", "text"),
    [("0.25", "25%"), ("1", "100%"), ("0", "0%"), ("0.125", "12.5%"), (Decimal("0.5"), "50%"), ("0.10", "10%")],
)
def test_percent_text(share: Any, text: str) -> None:
    assert percent_text(share) == text


def test_cn_date() -> None:
    assert cn_date("2021-05-31") == "2021年5月31日"
    assert cn_date("2023-12-01") == "2023年12月1日"


# --- RuleDef basics ---------------------------------------------------------------------------------------


def test_strengths_are_the_codes_of_the_strengths_vocabulary_in_order() -> None:
    assert registry.STRENGTHS == ("must", "as_a_rule", "preference", "target")
    assert registry.STRENGTHS == tuple(vocabulary("strengths"))


def test_rule_definitions_are_frozen_and_hashable() -> None:
    rule = make("int", min=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.min = 2  # type: ignore[misc]
    assert rule.min == 1
    assert hash(rule) == hash(make("int", min=1))
    assert len({rule, make("int", min=1), make("int", min=2)}) == 2


def test_rule_defaults() -> None:
    rule = make("int")
    assert (rule.unit, rule.help, rule.choices, rule.vocabulary, rule.placeholders) == ("", "", (), "", ())
    assert (rule.min, rule.max, rule.anchor, rule.bound, rule.series_kind) == (None, None, "", "", "share")
    assert rule.ask_bureau is False


def test_section_label_known_and_unknown() -> None:
    assert RuleDef(key="k", label="l", type="int", section="staffing").section_label == "人员配置"
    assert RuleDef(key="k", label="l", type="int", section="party").section_label == "党建引领"
    assert RuleDef(key="k", label="l", type="int", section="other").section_label == "other"


def test_options_from_choices_then_vocabulary_then_none() -> None:
    assert make("choice", choices=AB).options == {"a": "甲", "b": "乙"}
    assert make("choice", vocabulary="periods").options == vocabulary("periods")
    assert make("choice", choices=AB, vocabulary="periods").options == {"a": "甲", "b": "乙"}
    assert make("choice").options == {}


def test_unknown_type_is_refused_by_validate() -> None:
    assert refusal(make("colour"), "red") == "未知的规则类型：colour"


# --- int ----------------------------------------------------------------------------------------------------


def test_int_without_bounds() -> None:
    rule = make("int")
    assert rule.validate(0) == 0
    assert rule.validate(" 12 ") == 12
    assert rule.validate(10**9) == 10**9
    assert refusal(rule, -1) == "不能为负数。"
    assert refusal(rule, "abc") == "应为整数。"
    assert refusal(rule, 1.5) == "应为整数。"
    assert refusal(rule, True) == "应为整数。"
    assert refusal(rule, None) == "应为整数。"


def test_int_with_min_and_max_at_the_limits_and_one_over() -> None:
    rule = make("int", min=2, max=6)
    assert rule.validate(2) == 2
    assert rule.validate(6) == 6
    assert refusal(rule, 1) == "不能小于 2。"
    assert refusal(rule, 7) == "不能大于 6。"


def test_int_with_min_one_and_min_zero() -> None:
    assert refusal(make("int", min=1), 0) == "不能小于 1。"
    assert make("int", min=1).validate(1) == 1
    assert refusal(make("int", min=0), -1) == "不能为负数。"
    assert make("int", min=-5).validate(-5) == -5
    assert refusal(make("int", min=-5), -6) == "不能小于 -5。"


def test_int_with_max_only() -> None:
    rule = make("int", max=100)
    assert rule.validate(100) == 100
    assert rule.validate(0) == 0
    assert refusal(rule, 101) == "不能大于 100。"
    assert refusal(rule, -1) == "不能为负数。"
    assert make("int", max=0).validate(0) == 0
    assert refusal(make("int", max=0), 1) == "不能大于 0。"


def test_int_real_rule() -> None:
    rule = rules()["contract.parties"]
    assert (rule.type, rule.min, rule.max, rule.unit) == ("int", 2, 6, "方")
    assert rule.validate("6") == 6
    assert refusal(rule, 7) == "不能大于 6。"


# --- decimal, share -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", "0"), ("0.5", "0.5"), (" 1.50 ", "1.5"), ("100", "100"), (2, "2"), ("1e3", "1000"), ("0.000", "0")],
)
def test_decimal_accepts(value: Any, expected: str) -> None:
    assert make("decimal").validate(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0.01", "应为非负数字。"),
        (-1, "应为非负数字。"),
        ("abc", "应为数字。"),
        (True, "应为数字。"),
        ("NaN", "应为数字。"),
    ],
)
def test_decimal_refuses(value: Any, message: str) -> None:
    assert refusal(make("decimal"), value) == message


@pytest.mark.parametrize(
    ("value", "expected"), [("0", "0"), ("1", "1"), ("0.5", "0.5"), ("0.250", "0.25"), (1, "1"), ("1.0", "1")]
)
def test_share_accepts_between_zero_and_one(value: Any, expected: str) -> None:
    assert make("share").validate(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.01", "比例应在 0 到 1 之间（0% 到 100%）。"),
        ("1.5", "比例应在 0 到 1 之间（0% 到 100%）。"),
        ("2", "比例应在 0 到 1 之间（0% 到 100%）。"),
        ("-0.01", "比例应在 0 到 1 之间（0% 到 100%）。"),
        ("abc", "应为 0 到 1 之间的比例，例如 0.25 表示 25%。"),
        (False, "应为 0 到 1 之间的比例，例如 0.25 表示 25%。"),
    ],
)
def test_share_refuses(value: Any, message: str) -> None:
    assert refusal(make("share"), value) == message


# --- bool ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "true", " TRUE ", "1", 1, "是", "yes", "Yes", "on"])
def test_bool_true(value: Any) -> None:
    assert make("bool").validate(value) is True


@pytest.mark.parametrize("value", [False, "false", "False", "0", 0, "否", "no", "off", " OFF "])
def test_bool_false(value: Any) -> None:
    assert make("bool").validate(value) is False


@pytest.mark.parametrize("value", ["maybe", "", 2, None, "对"])
def test_bool_refuses(value: Any) -> None:
    assert refusal(make("bool"), value) == "应为“是”或“否”。"


# --- text and templates ---------------------------------------------------------------------------------------


def test_text_accepts_and_trims() -> None:
    rule = make("text")
    assert rule.validate("  社工站  ") == "社工站"
    assert rule.validate(12) == "12"
    assert rule.validate("{anything}") == "{anything}"  # no placeholders: no template check
    assert rule.validate("字" * registry.MAX_TEXT) == "字" * 300
    assert rule.validate(" " + "字" * 300 + " ") == "字" * 300


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "应为文字。"),
        (1.5, "应为文字。"),
        (None, "应为文字。"),
        (["a"], "应为文字。"),
        ("   ", "不能为空。"),
        ("", "不能为空。"),
        ("字" * 301, "不能超过 300 个字。"),
    ],
)
def test_text_refuses(value: Any, message: str) -> None:
    assert refusal(make("text"), value) == message


def template_rule() -> RuleDef:
    # built in each test, not at import: a mutant that breaks RuleDef must fail a test, not the collection
    # (mutmut counts only pytest's exit code 1 as a kill; a collection error exits with 2)
    return make("text", placeholders=("county", "township"))


ALLOWED = "{county}、{township}"


def test_template_accepts_its_placeholders_and_literal_braces() -> None:
    assert template_rule().validate("{county}{township}社会工作服务站") == "{county}{township}社会工作服务站"
    assert template_rule().validate("社工站") == "社工站"
    assert template_rule().validate("{{县}}{county}") == "{{县}}{county}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{county", f"模板格式有误（花括号不成对）；可用的占位符：{ALLOWED}。"),
        ("county}", f"模板格式有误（花括号不成对）；可用的占位符：{ALLOWED}。"),
        ("{village}站", f"模板中的占位符 {{village}} 无效；可用的占位符：{ALLOWED}。"),
        ("{county}{village}", f"模板中的占位符 {{village}} 无效；可用的占位符：{ALLOWED}。"),
        ("{}", f"模板中的占位符 {{}} 无效；可用的占位符：{ALLOWED}。"),
        ("{0}", f"模板中的占位符 {{0}} 无效；可用的占位符：{ALLOWED}。"),
        ("{village:>5}", f"模板中的占位符 {{village}} 无效；可用的占位符：{ALLOWED}。"),
        ("{county:>200000}", f"模板中的占位符不能带格式说明（如宽度、对齐）；可用的占位符：{ALLOWED}。"),
        ("{county!r}", f"模板中的占位符不能带格式说明（如宽度、对齐）；可用的占位符：{ALLOWED}。"),
        ("{township}{county:x}", f"模板中的占位符不能带格式说明（如宽度、对齐）；可用的占位符：{ALLOWED}。"),
    ],
)
def test_template_refuses(value: str, message: str) -> None:
    assert refusal(template_rule(), value) == message


def test_template_of_a_real_rule() -> None:
    rule = rules()["station.signage_template"]
    assert rule.placeholders == ("province", "city", "county", "township", "village")
    assert rule.validate("{county}{village}社工服务点") == "{county}{village}社工服务点"
    assert refusal(rule, "{town}") == (
        "模板中的占位符 {town} 无效；可用的占位符：{province}、{city}、{county}、{township}、{village}。"
    )


# --- choice, list, vocab_list, vocab_map -------------------------------------------------------------------------


def test_choice() -> None:
    rule = make("choice", choices=AB)
    assert rule.validate("b") == "b"
    assert refusal(rule, "c") == "不是可选的值；可选：甲、乙。"
    assert refusal(rule, 1) == "不是可选的值；可选：甲、乙。"
    assert refusal(rule, None) == "不是可选的值；可选：甲、乙。"
    assert refusal(rule, "甲") == "不是可选的值；可选：甲、乙。"


def test_choice_of_a_vocabulary() -> None:
    rule = rules()["staff.certificate_min_level"]
    assert rule.validate("senior") == "senior"
    assert refusal(rule, "expert") == "不是可选的值；可选：助理社会工作师（初级）、社会工作师（中级）、高级社会工作师。"


def test_list_accepts() -> None:
    rule = make("list")
    assert rule.validate("甲\n\n 乙 \r\n丙") == ["甲", "乙", "丙"]
    assert rule.validate([" a ", "", "b", 3]) == ["a", "b", "3"]
    assert rule.validate(["x"] * 1) == ["x"]
    many = [f"第{i}项" for i in range(registry.MAX_ITEMS)]
    assert rule.validate(many) == many
    assert len(many) == 50
    assert rule.validate(["字" * 100]) == ["字" * 100]
    assert rule.validate([" " + "字" * 100 + " "]) == ["字" * 100]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "应为列表（每行一项）。"),
        (("a",), "应为列表（每行一项）。"),
        ({"a": 1}, "应为列表（每行一项）。"),
        (None, "应为列表（每行一项）。"),
        ([1.5], "列表中的每一项都应为文字。"),
        (["a", True], "列表中的每一项都应为文字。"),
        (["a", None], "列表中的每一项都应为文字。"),
        ([["a"]], "列表中的每一项都应为文字。"),
        ([], "列表不能为空。"),
        ("", "列表不能为空。"),
        (["", "  "], "列表不能为空。"),
        ("\n \n", "列表不能为空。"),
        (["a", "b", "a"], "列表中有重复的项。"),
        ("a\n a ", "列表中有重复的项。"),
        ([f"第{i}项" for i in range(51)], "列表不能超过 50 项。"),
        (["a", "字" * 101], "每项不能超过 100 个字符。"),
    ],
)
def test_list_refuses(value: Any, message: str) -> None:
    assert refusal(make("list"), value) == message


def test_vocab_list() -> None:
    rule = make("vocab_list", choices=(("a", "甲"), ("b", "乙"), ("c", "丙")))
    assert rule.validate(["c", "a"]) == ["a", "c"]  # vocabulary order
    assert rule.validate(["b"]) == ["b"]
    assert refusal(rule, []) == "请至少选择一项。"
    assert refusal(rule, "a") == "请至少选择一项。"
    assert refusal(rule, None) == "请至少选择一项。"
    assert refusal(rule, {"a": 1}) == "请至少选择一项。"
    assert refusal(rule, ["a", "z"]) == "“z”不是可选的值；可选：甲、乙、丙。"
    assert refusal(rule, ["a", 1, "z"]) == "“1”不是可选的值；可选：甲、乙、丙。"
    assert refusal(rule, ["a", "a"]) == "同一项不能重复选择。"


def test_vocab_list_of_a_real_rule() -> None:
    rule = rules()["service.visit_checks"]
    assert rule.validate(["illness", "hygiene"]) == ["hygiene", "illness"]
    assert refusal(rule, ["noise"]) == "“noise”不是可选的值；可选：居所和个人卫生、饮食、居所房屋安全、疾病。"


def test_vocab_map() -> None:
    rule = rules()["service.visit_escalation"]
    assert rule.validate({"illness": " 送医 ", "hygiene": "清洁"}) == {"hygiene": "清洁", "illness": "送医"}
    assert list(rule.validate({"illness": "a", "diet": "b"})) == ["diet", "illness"]
    assert refusal(rule, {}) == "请至少填写一项。"
    assert refusal(rule, "hygiene") == "请至少填写一项。"
    assert refusal(rule, ["hygiene"]) == "请至少填写一项。"
    assert refusal(rule, {"hygiene": "a", "noise": "b"}) == (
        "“noise”不是可选的事项；可选：居所和个人卫生、饮食、居所房屋安全、疾病。"
    )
    assert refusal(rule, {"diet": "  "}) == "“饮食”的处置要求应为文字，不能为空。"
    assert refusal(rule, {"hygiene": "a", "diet": 5}) == "“饮食”的处置要求应为文字，不能为空。"
    assert refusal(rule, {"diet": None}) == "“饮食”的处置要求应为文字，不能为空。"


# --- dates -----------------------------------------------------------------------------------------------------


def test_date() -> None:
    rule = make("date")
    assert rule.validate("2021-05-31") == "2021-05-31"
    assert rule.validate(" 2024-02-29 ") == "2024-02-29"
    assert rule.validate(dt.date(2021, 5, 3)) == "2021-05-03"
    message = "应为日期，格式为 年-月-日，例如 2021-05-31。"
    for bad in ["2021-5-31", "20210531", "2021/05/31", "", "2021-05-31x", 20210531, None]:
        assert refusal(rule, bad) == message, bad
    assert refusal(rule, "2021-02-29") == "2021-02-29 不是存在的日期。"
    assert refusal(rule, " 2021-13-01 ") == "2021-13-01 不是存在的日期。"


def test_yearly_date() -> None:
    rule = make("yearly_date")
    assert rule.validate("11-30") == "11-30"
    assert rule.validate(" 1-5 ") == "01-05"
    assert rule.validate("02-29") == "02-29"
    assert rule.validate("01-01") == "01-01"
    assert rule.validate("12-31") == "12-31"
    message = "应为每年的月和日，格式为 月-日，例如 11-30。"
    for bad in ["11/30", "1130", "", "123-1", "11-300", None, 1130]:
        assert refusal(rule, bad) == message, bad
    assert refusal(rule, "13-01") == "月份应在 1 到 12 之间，不能是 13。"
    assert refusal(rule, "0-10") == "月份应在 1 到 12 之间，不能是 0。"
    assert refusal(rule, "02-30") == "2月没有30日。"
    assert refusal(rule, "04-31") == "4月没有31日。"
    assert refusal(rule, "12-32") == "12月没有32日。"
    assert refusal(rule, "1-0") == "1月没有0日。"


# --- duration, frequency, percent_of -------------------------------------------------------------------------------


def test_duration() -> None:
    rule = make("duration")
    assert rule.validate({"amount": 15, "unit": "working_days"}) == {"amount": 15, "unit": "working_days"}
    assert rule.validate({"amount": " 1 ", "unit": "years"}) == {"amount": 1, "unit": "years"}
    bad: Any
    for bad in [None, [], "15", {"amount": 1, "unit": "months", "from": "x"}]:
        assert refusal(rule, bad) == "期限应包括数量和计算方法。", bad
    for amount in [0, -1, None, "x", 1.5, True]:
        assert refusal(rule, {"amount": amount, "unit": "months"}) == "期限的数量应为正整数。", amount
    assert refusal(rule, {"unit": "months"}) == "期限的数量应为正整数。"
    assert refusal(rule, {"amount": 2, "unit": "weeks"}) == "请选择期限的计算方法：自然日、工作日、月或年。"
    assert refusal(rule, {"amount": 2}) == "请选择期限的计算方法：自然日、工作日、月或年。"


def test_frequency() -> None:
    rule = make("frequency")
    assert rule.validate({"times": "2", "per": "week"}) == {"times": 2, "per": "week"}
    assert rule.validate({"times": 1, "per": "year"}) == {"times": 1, "per": "year"}
    for bad in [None, "x", {"times": 1, "per": "week", "extra": 1}]:
        assert refusal(rule, bad) == "频次应包括次数和周期。", bad
    for times in [0, -2, None, "x"]:
        assert refusal(rule, {"times": times, "per": "week"}) == "次数应为正整数。", times
    assert refusal(rule, {"times": 1, "per": "day"}) == "请选择周期：自然周、自然月、季度或年度。"
    assert refusal(rule, {"times": 1}) == "请选择周期：自然周、自然月、季度或年度。"


def test_percent_of() -> None:
    rule = make("percent_of")
    base = "project_funds"
    assert rule.validate({"percent": "5.0", "base": base}) == {"percent": "5", "base": base}
    assert rule.validate({"percent": 100, "base": base}) == {"percent": "100", "base": base}
    assert rule.validate({"percent": "0.5", "base": base}) == {"percent": "0.5", "base": base}
    assert rule.validate({"percent": "0.01", "base": base}) == {"percent": "0.01", "base": base}
    for bad in [None, "5", {"percent": "5", "base": base, "cap": 1}]:
        assert refusal(rule, bad) == "应包括百分比和计算基数。", bad
    for percent in ["x", None, True]:
        assert refusal(rule, {"percent": percent, "base": base}) == "百分比应为数字，例如 5 表示 5%。", percent
    for percent in ["0", "-1", "100.01", "100.5", "101"]:
        assert refusal(rule, {"percent": percent, "base": base}) == "百分比应大于 0、不超过 100。", percent
    assert refusal(rule, {"percent": "5", "base": "salary"}) == "请选择计算基数（以哪一项金额为基数）。"
    assert refusal(rule, {"percent": "5"}) == "请选择计算基数（以哪一项金额为基数）。"


# --- weights, matrix, series ------------------------------------------------------------------------------------------


def test_weights() -> None:
    rule = rules()["evaluation.weights"]
    assert rule.validate({"township": "0.4", "third_party": "0.60"}) == {"third_party": "0.6", "township": "0.4"}
    assert list(rule.validate({"township": "0.4", "third_party": "0.6"})) == ["third_party", "township"]
    assert rule.validate({"county_bureau": "0.5", "township": "0.5"}) == {"county_bureau": "0.5", "township": "0.5"}
    assert rule.validate({"county_bureau": 1}) == {"county_bureau": "1"}
    assert rule.validate({"third_party": "0.2", "county_bureau": "0.3", "township": "0.5"}) == {
        "third_party": "0.2",
        "county_bureau": "0.3",
        "township": "0.5",
    }
    assert refusal(rule, {}) == "请填写各评估方的权重。"
    assert refusal(rule, ["township"]) == "请填写各评估方的权重。"
    assert refusal(rule, "township") == "请填写各评估方的权重。"
    assert refusal(rule, {"township": "1", "mayor": "0"}) == f"“mayor”不是评估方；评估方只能是：{PARTIES}。"
    assert refusal(rule, {"township": "x"}) == "乡镇的权重应为 0 到 1 之间的数字。"
    assert refusal(rule, {"township": "0", "county_bureau": "1"}) == "乡镇的权重应大于 0、不超过 1（100%）。"
    assert refusal(rule, {"township": "1.01"}) == "乡镇的权重应大于 0、不超过 1（100%）。"
    assert refusal(rule, {"township": "-0.5", "county_bureau": "1.5"}) == "县民政局的权重应大于 0、不超过 1（100%）。"
    assert refusal(rule, {"township": "0.5", "county_bureau": "0.4"}) == "各方权重之和应恰好为 100%，现为 90%。"
    assert refusal(rule, {"township": "0.5"}) == "各方权重之和应恰好为 100%，现为 50%。"
    assert refusal(rule, {"township": "0.6", "third_party": "0.6"}) == "各方权重之和应恰好为 100%，现为 120%。"


def test_matrix() -> None:
    rule = rules()["evaluation.matrix"]
    value = {"parties": ["township", "third_party"], "aspects": "过程\n成效", "stages": ["final", "self"]}
    assert rule.validate(value) == {
        "parties": ["third_party", "township"],
        "aspects": ["过程", "成效"],
        "stages": ["self", "final"],
    }
    assert rule.validate({"aspects": ["成效"], "stages": ["annual"]}) == {
        "parties": [],
        "aspects": ["成效"],
        "stages": ["annual"],
    }
    assert rule.validate({"parties": [], "aspects": ["a"], "stages": ["midterm"]})["parties"] == []
    shape = "评估矩阵应包括评估方、评估内容和评估阶段。"
    assert refusal(rule, None) == shape
    assert refusal(rule, ["final"]) == shape
    assert refusal(rule, {"aspects": ["a"], "stages": ["final"], "weights": {}}) == shape
    parties = f"评估方只能是：{PARTIES}。"
    assert refusal(rule, {"parties": ["mayor"], "aspects": ["a"], "stages": ["final"]}) == parties
    assert refusal(rule, {"parties": ["township", "mayor"], "aspects": ["a"], "stages": ["final"]}) == parties
    assert refusal(rule, {"parties": "township", "aspects": ["a"], "stages": ["final"]}) == parties
    assert refusal(rule, {"parties": {"township": 1}, "aspects": ["a"], "stages": ["final"]}) == parties
    stages = f"请选择评估阶段：{STAGES}。"
    assert refusal(rule, {"aspects": ["a"]}) == stages
    assert refusal(rule, {"aspects": ["a"], "stages": []}) == stages
    assert refusal(rule, {"aspects": ["a"], "stages": "final"}) == stages
    assert refusal(rule, {"aspects": ["a"], "stages": ["final", "later"]}) == stages
    assert refusal(rule, {"aspects": ["a"], "stages": {"final": 1}}) == stages
    aspects = "请填写评估内容（每行一项）。"
    assert refusal(rule, {"stages": ["final"]}) == aspects
    assert refusal(rule, {"aspects": [], "stages": ["final"]}) == aspects
    assert refusal(rule, {"aspects": ["a", "a"], "stages": ["final"]}) == aspects
    assert refusal(rule, {"aspects": 5, "stages": ["final"]}) == aspects


def test_series_of_shares() -> None:
    rule = make("series")
    assert rule.validate({"2022": "0.50", 2021: "0.1"}) == {"2021": "0.1", "2022": "0.5"}
    assert list(rule.validate({"2022": "1", "2021": "0"})) == ["2021", "2022"]
    assert rule.validate({"1900": "0", "2199": "1"}) == {"1900": "0", "2199": "1"}
    assert refusal(rule, {}) == "请至少填写一个年度的目标。"
    assert refusal(rule, ["2021"]) == "请至少填写一个年度的目标。"
    assert refusal(rule, "2021") == "请至少填写一个年度的目标。"
    for year in ["1899", "2200", "21", "20211", "二〇二一", "2021年"]:
        assert refusal(rule, {year: "0.1"}) == f"“{year}”不是年份，应为四位数的年份，例如 2021。", year
    assert refusal(rule, {"2021": "1.01"}) == "2021年的目标应在 0% 到 100% 之间。"
    assert refusal(rule, {"2021": "-0.1"}) == "2021年的目标应在 0% 到 100% 之间。"
    assert refusal(rule, {"2021": "x"}) == "2021年的目标应为 0 到 1 之间的比例。"


def test_series_of_counts() -> None:
    rule = rules()["target.good_counties"]
    assert rule.series_kind == "count"
    assert rule.validate({"2023": " 3 ", "2022": 0}) == {"2022": 0, "2023": 3}
    assert rule.validate({"2021": 5}) == {"2021": 5}
    assert refusal(rule, {"2021": -1}) == "2021年的目标不能为负数。"
    assert refusal(rule, {"2021": "0.5"}) == "2021年的目标应为整数。"
    assert refusal(rule, {"2021": None}) == "2021年的目标应为整数。"
    assert refusal(rule, {"20x1": 1}) == "“20x1”不是年份，应为四位数的年份，例如 2021。"


def test_series_of_texts() -> None:
    rule = rules()["target.coverage_plan"]
    assert rule.series_kind == "text"
    assert rule.validate({"2022": " 全覆盖 ", 2021: "试点"}) == {"2021": "试点", "2022": "全覆盖"}
    assert rule.validate({"2021": "0.5"}) == {"2021": "0.5"}
    assert refusal(rule, {"2021": "  "}) == "2021年的目标应为文字，不能为空。"
    assert refusal(rule, {"2021": 5}) == "2021年的目标应为文字，不能为空。"
    assert refusal(rule, {"2021": None}) == "2021年的目标应为文字，不能为空。"


# --- staffing --------------------------------------------------------------------------------------------------------


def full(**alt: Any) -> dict[str, Any]:
    base = {
        "kind": alt["kind"],
        "minimum": None,
        "per": None,
        "unit": None,
        "head_counted": True,
        "certificate": None,
        "with_volunteers": False,
        "basis": "",
    }
    base.update(alt)
    return base


def staff_rule() -> RuleDef:
    return make("staffing")


def test_staffing_accepts_and_normalises() -> None:
    assert staff_rule().validate({"alternatives": [{"kind": "resident", "minimum": "2"}]}) == {
        "alternatives": [full(kind="resident", minimum=2)]
    }
    value = {
        "kind": "fulltime",
        "minimum": 1,
        "per": " 5 ",
        "unit": "villages",
        "head_counted": "false",
        "certificate": "intermediate",
        "with_volunteers": "是",
        "basis": " 按村配备 ",
    }
    assert staff_rule().validate({"alternatives": [value]}) == {
        "alternatives": [
            full(
                kind="fulltime",
                minimum=1,
                per=5,
                unit="villages",
                head_counted=False,
                certificate="intermediate",
                with_volunteers=True,
                basis="按村配备",
            )
        ]
    }
    # a unit without a ratio is dropped; empty strings count as not given
    assert staff_rule().validate(
        {"alternatives": [{"kind": "resident", "minimum": 3, "per": "", "unit": "villages", "certificate": ""}]}
    ) == {"alternatives": [full(kind="resident", minimum=3)]}
    assert staff_rule().validate({"alternatives": [{"kind": "resident", "per": 1, "unit": "communities"}]}) == {
        "alternatives": [full(kind="resident", per=1, unit="communities")]
    }
    assert staff_rule().validate({"alternatives": [{"kind": "parttime"}]}) == {"alternatives": [full(kind="parttime")]}
    assert staff_rule().validate({"alternatives": [{"kind": "resident", "basis": "按需"}]}) == {
        "alternatives": [full(kind="resident", basis="按需")]
    }
    assert staff_rule().validate({"alternatives": [{"kind": "resident", "minimum": 1, "basis": "字" * 200}]}) == {
        "alternatives": [full(kind="resident", minimum=1, basis="字" * 200)]
    }
    assert staff_rule().validate({"alternatives": [{"kind": "resident", "minimum": 1, "basis": None}]}) == {
        "alternatives": [full(kind="resident", minimum=1)]
    }


def test_staffing_up_to_three_alternatives() -> None:
    alts = [{"kind": "resident", "minimum": n} for n in (1, 2, 3)]
    assert staff_rule().validate({"alternatives": alts}) == {
        "alternatives": [full(kind="resident", minimum=n) for n in (1, 2, 3)]
    }
    assert refusal(staff_rule(), {"alternatives": [*alts, {"kind": "parttime"}]}) == "最多三种可互相替代的配备方式。"


@pytest.mark.parametrize("value", [None, [], "x", {}, {"alternatives": []}, {"alternatives": "x"}, {"alts": [1]}])
def test_staffing_needs_alternatives(value: Any) -> None:
    assert refusal(staff_rule(), value) == "请至少填写一种配备方式。"


@pytest.mark.parametrize(
    ("alt", "message"),
    [
        ("resident", "格式不正确。"),
        ({"kind": "resident", "minimum": 1, "ratio": 2}, "格式不正确。"),
        ({"minimum": 1}, f"请选择人员类别（{KINDS}）。"),
        ({"kind": "volunteer", "minimum": 1}, f"请选择人员类别（{KINDS}）。"),
        ({"kind": "resident", "minimum": 0}, "最少人数应为正整数。"),
        ({"kind": "resident", "minimum": "x"}, "最少人数应为正整数。"),
        ({"kind": "resident", "minimum": -1}, "最少人数应为正整数。"),
        ({"kind": "resident", "per": 0, "unit": "villages"}, "每多少个单位配 1 人应为正整数。"),
        ({"kind": "resident", "per": "x", "unit": "villages"}, "每多少个单位配 1 人应为正整数。"),
        ({"kind": "resident", "per": 5}, f"按比例配备时，请选择计算单位（{UNITS}）。"),
        ({"kind": "resident", "per": 5, "unit": "towns"}, f"按比例配备时，请选择计算单位（{UNITS}）。"),
        ({"kind": "resident", "minimum": 1, "unit": "towns"}, "计算单位不是可选的值。"),
        ({"kind": "resident", "minimum": 1, "head_counted": "maybe"}, "应为“是”或“否”。"),
        ({"kind": "resident", "minimum": 1, "certificate": "expert"}, "证书等级不是可选的值。"),
        ({"kind": "resident", "minimum": 1, "with_volunteers": "maybe"}, "应为“是”或“否”。"),
        ({"kind": "resident", "minimum": 1, "basis": "字" * 201}, "配备依据应为 200 字以内的文字。"),
        ({"kind": "resident", "minimum": 1, "basis": 5}, "配备依据应为 200 字以内的文字。"),
        ({"kind": "resident", "minimum": 1, "basis": ["a"]}, "配备依据应为 200 字以内的文字。"),
        ({"kind": "resident"}, "请填写最少人数、按比例配备或配备依据中的至少一项。"),
        ({"kind": "fulltime", "basis": "   "}, "请填写最少人数、按比例配备或配备依据中的至少一项。"),
        ({"kind": "fulltime", "minimum": "", "per": None}, "请填写最少人数、按比例配备或配备依据中的至少一项。"),
    ],
)
def test_staffing_refuses_one_alternative_without_a_prefix(alt: Any, message: str) -> None:
    assert refusal(staff_rule(), {"alternatives": [alt]}) == message


def test_staffing_names_the_alternative_when_there_are_several() -> None:
    good = {"kind": "resident", "minimum": 1}
    assert (
        refusal(staff_rule(), {"alternatives": [{"kind": "x"}, good]}) == f"第1种配备方式：请选择人员类别（{KINDS}）。"
    )
    assert refusal(staff_rule(), {"alternatives": [good, {"kind": "resident", "minimum": 0}]}) == (
        "第2种配备方式：最少人数应为正整数。"
    )
    assert refusal(staff_rule(), {"alternatives": [good, good, "x"]}) == "第3种配备方式：格式不正确。"
    assert refusal(staff_rule(), {"alternatives": [good, {"kind": "resident"}]}) == (
        "第2种配备方式：请填写最少人数、按比例配备或配备依据中的至少一项。"
    )


# --- display -------------------------------------------------------------------------------------------------------


def test_display_of_nothing_and_of_the_unknown() -> None:
    assert make("int").display(None) == "—"
    assert make("bool").display(False) == "否"
    assert make("int").display(0) == "0"
    assert make("colour").display("red") == "red"
    assert make("duration").display({"amount": 3, "unit": "fortnights"}) == "{'amount': 3, 'unit': 'fortnights'}"
    assert make("decimal", unit="元").display("abc") == "abc"
    assert make("yearly_date").display(5) == "5"
    assert make("date").display("2021-02-30") == "2021-02-30"


def test_display_numbers() -> None:
    assert make("int", unit="人").display(3) == "3 人"
    assert make("int").display(3) == "3"
    assert make("decimal", unit="元").display("1234.5") == "1,234.50 元"
    assert make("decimal", unit="元").display("1000000") == "1,000,000.00 元"
    assert make("decimal", unit="倍").display("1.5") == "1.5 倍"
    assert make("decimal").display("1.5") == "1.5"
    assert make("share").display("0.25") == "25%"
    assert make("share").display("1") == "100%"


def test_display_words() -> None:
    assert make("bool").display(True) == "是"
    assert make("text").display("{county}站") == "{county}站"
    assert template_rule().display("{county}{township}站") == "〔县名〕〔乡镇名〕站"
    assert (
        template_rule().display("{county}{township}站", {"county": "大田县", "township": "均溪镇"}) == "大田县均溪镇站"
    )
    assert make("choice", choices=AB).display("b") == "乙"
    assert make("choice", choices=AB).display("z") == "z"
    assert make("list").display(["甲", "乙"]) == "甲、乙"
    assert make("list").display([1, 2]) == "1、2"
    assert make("vocab_list", choices=AB).display(["b", "z"]) == "乙、z"
    escalation = rules()["service.visit_escalation"]
    assert escalation.display({"diet": "送餐", "hygiene": "清洁"}) == "居所和个人卫生：清洁；饮食：送餐"
    assert escalation.display({"illness": "送医"}) == "疾病：送医"


def test_display_dates() -> None:
    assert make("date").display("2021-05-31") == "2021年5月31日"
    assert make("yearly_date").display("02-09") == "每年2月9日"
    assert make("yearly_date").display("11-30") == "每年11月30日"


@pytest.mark.parametrize(
    ("unit", "words"),
    [("calendar_days", "15日内"), ("working_days", "15个工作日内"), ("months", "15个月内"), ("years", "15年内")],
)
def test_display_duration(unit: str, words: str) -> None:
    assert make("duration", anchor="协议签订之日起").display({"amount": 15, "unit": unit}) == "协议签订之日起" + words
    assert make("duration").display({"amount": 15, "unit": unit}) == words


@pytest.mark.parametrize(
    ("per", "words"), [("week", "每自然周"), ("month", "每自然月"), ("quarter", "每季度"), ("year", "每年")]
)
def test_display_frequency(per: str, words: str) -> None:
    assert make("frequency").display({"times": 2, "per": per}) == f"{words}不少于2次"


def test_display_percent_of() -> None:
    value = {"percent": "5", "base": "relief_fund_current_budget"}
    assert make("percent_of", bound="min").display(value) == "不少于当年困难群众救助补助资金年度预算总额的5%"
    assert make("percent_of", bound="max").display(value) == "不超过当年困难群众救助补助资金年度预算总额的5%"
    assert make("percent_of").display(value) == "当年困难群众救助补助资金年度预算总额的5%"
    assert make("percent_of").display({"percent": "2.5", "base": "other"}) == "other的2.5%"
    assert rules()["funding.relief_fund_cap"].display(value) == "不超过当年困难群众救助补助资金年度预算总额的5%"


def test_display_weights_matrix_series() -> None:
    weights = rules()["evaluation.weights"]
    assert weights.display({"township": "0.4", "third_party": "0.6"}) == "第三方机构 60%，乡镇 40%"
    matrix = rules()["evaluation.matrix"]
    assert matrix.display(
        {"parties": ["third_party", "x"], "aspects": ["过程", "成效"], "stages": ["self", "final"]}
    ) == ("评估方：第三方机构、x；评估内容：过程、成效；阶段：机构自评→末期（结项）评估")
    assert matrix.display({"parties": [], "aspects": ["成效"], "stages": ["annual"]}) == (
        "评估内容：成效；阶段：年度绩效评价"
    )
    assert matrix.display({"aspects": ["成效"], "stages": ["annual"]}) == "评估内容：成效；阶段：年度绩效评价"
    assert make("series").display({"2022": "0.5", "2021": "0.1"}) == "2021年 不低于10%；2022年 不低于50%"
    assert make("series", series_kind="count", unit="个").display({"2022": 3, "2021": 1}) == "2021年 1个；2022年 3个"
    assert make("series", series_kind="text").display({"2022": "全覆盖", "2021": "试点"}) == (
        "2021年：试点；2022年：全覆盖"
    )


def test_display_staffing() -> None:
    value = {
        "alternatives": [
            {"kind": "resident", "minimum": 2, "per": None, "unit": None, "head_counted": True},
            {"kind": "parttime", "minimum": None, "per": None, "with_volunteers": True},
        ]
    }
    assert staff_rule().display(value) == "不少于2名驻站社工，站长计入；或 数名兼职社会工作者，以及若干志愿者"


# --- to_input ----------------------------------------------------------------------------------------------------


def test_to_input() -> None:
    assert make("list").to_input(None) == ""
    assert make("list").to_input(["甲", "乙"]) == "甲\n乙"
    assert make("bool").to_input(True) == "true"
    assert make("bool").to_input(False) == "false"
    assert make("vocab_list").to_input(["a", "b"]) == '["a", "b"]'
    assert make("vocab_map").to_input({"diet": "送餐"}) == '{"diet": "送餐"}'
    assert make("int").to_input(5) == "5"
    assert make("int").to_input(0) == "0"
    assert make("text").to_input("社工站") == "社工站"


# --- staffing_text, required_staff ------------------------------------------------------------------------------------


def test_staffing_text() -> None:
    assert staffing_text({"kind": "resident", "per": 5, "unit": "villages", "minimum": 2, "head_counted": True}) == (
        "每5个村配备1名驻站社工（向上取整），不少于2名，站长计入"
    )
    assert staffing_text({"kind": "resident", "per": 5, "unit": "villages", "head_counted": False}) == (
        "每5个村配备1名驻站社工（向上取整），站长不占名额"
    )
    assert staffing_text({"kind": "fulltime", "minimum": 3}) == "不少于3名专职社会工作者，站长计入"
    assert (
        staffing_text({"kind": "fulltime", "minimum": 3, "head_counted": False})
        == "不少于3名专职社会工作者，站长不占名额"
    )
    assert staffing_text({"kind": "parttime"}) == "数名兼职社会工作者"
    assert staffing_text({"kind": "resident", "basis": "按需配备"}) == "按需配备"
    assert staffing_text({"kind": "resident"}) == ""
    assert staffing_text({"kind": "resident", "minimum": 1, "certificate": "intermediate"}) == (
        "不少于1名驻站社工，须持社会工作师及以上证书，站长计入"
    )
    assert staffing_text(
        {"kind": "parttime", "certificate": "assistant", "with_volunteers": True, "basis": "依据"}
    ) == ("数名兼职社会工作者，须持助理社会工作师及以上证书，以及若干志愿者，依据")
    assert (
        staffing_text(
            {"kind": "resident", "per": 2, "unit": "communities", "minimum": 1, "certificate": "senior", "basis": "b"}
        )
        == "每2个社区配备1名驻站社工（向上取整），不少于1名，须持高级社会工作师及以上证书，站长计入，b"
    )


def test_required_staff() -> None:
    assert required_staff({"minimum": 3}, None) == 3
    assert required_staff({"minimum": 3, "per": None}, 100) == 3
    assert required_staff({}, 10) == 0
    assert required_staff({"minimum": None}, None) == 0
    assert required_staff({"per": 5}, None) is None
    assert required_staff({"per": 5, "minimum": 2}, None) is None
    assert required_staff({"per": 5}, 11) == 3
    assert required_staff({"per": 5}, 10) == 2
    assert required_staff({"per": 5, "minimum": 2}, 11) == 3
    assert required_staff({"per": 5, "minimum": 4}, 11) == 4
    assert required_staff({"per": 5, "minimum": 2}, 0) == 2
    assert required_staff({"per": 3}, 1) == 1


# --- render_template -----------------------------------------------------------------------------------------------


def test_render_template() -> None:
    assert render_template("{province}{city}{county}{township}{village}", None) == (
        "〔省名〕〔市名〕〔县名〕〔乡镇名〕〔村名〕"
    )
    names = {"province": "福建省", "city": "三明市", "county": "大田县", "township": "均溪镇", "village": "许思坑村"}
    assert render_template("{county}{township}{village}社工服务点", names) == "大田县均溪镇许思坑村社工服务点"
    assert render_template("{county}{township}", {"county": "大田县", "township": ""}) == "大田县〔乡镇名〕"
    assert render_template("{county}{township}", {"county": "大田县"}) == "大田县〔乡镇名〕"
    assert render_template("{county}", {}) == "〔县名〕"
    assert render_template("{bogus}站", names) == "{bogus}站"
    assert render_template("{0}站", names) == "{0}站"
    assert render_template("{county站", names) == "{county站"
    assert render_template("社工站", names) == "社工站"


# --- citations -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "〇"),
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (15, "十五"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (30, "三十"),
        (45, "四十五"),
        (99, "九十九"),
    ],
)
def test_cn_number(n: int, text: str) -> None:
    assert _cn_number(n) == text


def test_document_name() -> None:
    assert document_name("000") == "田政办〔2021〕25号"
    assert document_name("001") == "《泸州市社会工作服务体系建设试点工作方案》"
    assert document_name("999") == ""
    assert documents() is documents()
    assert set(documents()) == {"000", "001", "002", "003", "004"}


@pytest.mark.parametrize(
    ("clause", "text"),
    [
        ("[000 §4(2)]", "田政办〔2021〕25号 第四部分第（二）项"),
        ("  [000 §4(2)]  ", "田政办〔2021〕25号 第四部分第（二）项"),
        ("[000 §4]", "田政办〔2021〕25号 第四部分"),
        ("[000 §12(11)]", "田政办〔2021〕25号 第十二部分第（十一）项"),
        ("[001 §3]", "《泸州市社会工作服务体系建设试点工作方案》 第三部分"),
        ("[000 annex 2]", "田政办〔2021〕25号 附件2"),
        ("[000 annex 2 item 13]", "田政办〔2021〕25号 附件2第13条"),
        ("[000 annex 2 item 3(4)]", "田政办〔2021〕25号 附件2第3条第（四）项"),
        ("[002 annex 1 item 5(10)]", "《白沙黎族自治县乡镇社会工作服务站项目工作方案》 附件1第5条第（十）项"),
        ("[999 §1]", "[999 §1]"),
        ("[000 §x]", "[000 §x]"),
        ("[000 §4] extra", "[000 §4] extra"),
        ("  大田县方案第四部分  ", "大田县方案第四部分"),
        ("", ""),
        (None, ""),
    ],
)
def test_cite(clause: Any, text: str) -> None:
    assert cite(clause) == text


# --- loading policies/data -------------------------------------------------------------------------------------------


def test_rules_load_every_field() -> None:
    registry_rules = rules()
    assert rules() is registry_rules  # loaded once
    assert len(registry_rules) == 121
    assert list(registry_rules)[0] == "station.levels"
    term = registry_rules["contract.term"]
    assert term.choices == (("one_year", "一年一签"), ("three_years", "一签三年"))
    assert term.options == {"one_year": "一年一签", "three_years": "一签三年"}
    assert (term.type, term.section, term.vocabulary, term.ask_bureau) == ("vocab_list", "contracts", "", False)
    filing = registry_rules["contract.filing_deadline"]
    assert (filing.type, filing.anchor, filing.min, filing.max, filing.unit) == (
        "duration",
        "协议签订之日起",
        None,
        None,
        "",
    )
    age = registry_rules["staff.max_age"]
    assert (age.key, age.min, age.max, age.bound, age.unit) == ("staff.max_age", 16, 70, "max", "岁")
    assert registry_rules["staff.performance_pay_share_min"].ask_bureau is True
    assert registry_rules["station.levels"].vocabulary == "station_levels"
    assert registry_rules["target.village_coverage_share"].series_kind == "share"
    assert registry_rules["funding.relief_fund_cap"].bound == "max"


def test_every_rule_type_is_known_and_every_choice_rule_has_options() -> None:
    for rule in rules().values():
        assert rule.type in registry.TYPES, rule.key
        if rule.type in {"choice", "vocab_list", "vocab_map", "weights"}:
            assert rule.options, rule.key


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: list[dict[str, Any]]) -> dict[str, RuleDef]:
    (tmp_path / "rules.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    vocabularies()  # the real vocabularies, loaded (and kept) before DATA_DIR moves
    monkeypatch.setattr(registry, "DATA_DIR", tmp_path)
    return rules.__wrapped__()  # type: ignore[attr-defined, no-any-return]


def test_rules_loader_reads_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _load(
        tmp_path,
        monkeypatch,
        [
            {"key": "x.n", "label": "数", "type": "int", "section": "s"},
            {
                "key": "x.c",
                "label": "选",
                "type": "choice",
                "section": "s",
                "choices": [["a", "甲"]],
                "help": "帮助",
                "unit": "个",
                "min": 1,
                "max": 2,
                "anchor": "起",
                "bound": "min",
                "series_kind": "count",
                "ask_bureau": True,
                "placeholders": ["county"],
            },
        ],
    )
    assert loaded == {
        "x.n": RuleDef(key="x.n", label="数", type="int", section="s"),
        "x.c": RuleDef(
            key="x.c",
            label="选",
            type="choice",
            section="s",
            unit="个",
            help="帮助",
            choices=(("a", "甲"),),
            placeholders=("county",),
            min=1,
            max=2,
            anchor="起",
            bound="min",
            series_kind="count",
            ask_bureau=True,
        ),
    }


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"type": "colour"}, "rules.json: x.bad has unknown type colour"),
        ({"type": "choice", "vocabulary": "colours"}, "rules.json: x.bad names unknown vocabulary colours"),
        ({"type": "choice"}, "rules.json: x.bad needs a vocabulary"),
        ({"type": "vocab_list"}, "rules.json: x.bad needs a vocabulary"),
        ({"type": "vocab_map"}, "rules.json: x.bad needs a vocabulary"),
        ({"type": "weights"}, "rules.json: x.bad needs a vocabulary"),
    ],
)
def test_rules_loader_refuses_bad_definitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        _load(tmp_path, monkeypatch, [{"key": "x.bad", "label": "坏", "section": "s", **rule}])
    assert str(caught.value) == message


def test_rules_loader_accepts_a_vocabulary_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _load(
        tmp_path,
        monkeypatch,
        [{"key": "x.v", "label": "v", "type": "vocab_list", "section": "s", "vocabulary": "periods"}],
    )
    assert loaded["x.v"].options == vocabulary("periods")


def test_preset_files() -> None:
    assert [p.name for p in preset_files()] == [
        "baisha.json",
        "datian.json",
        "hunan.json",
        "luzhou.json",
        "nantong.json",
    ]
