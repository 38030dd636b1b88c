"""Findings: what every check that a policy drives returns — the rule, its strength, the facts compared, the
outcome and the clause — one object for pages, API, PDF and Excel.

``evaluate(policy, key, actual=..., conditions=..., reason=...)`` checks one rule of an effective policy against
facts. A rule the policy does not set answers ``unknown`` (never a silent pass); a rule whose condition does not
hold answers ``not_applicable``; a rule that a lower level declared 不适用 answers ``not_applicable`` with that
level's clause. Strength decides whether a failure blocks: ``must`` always; ``as_a_rule`` unless a reason for the
exception is recorded; ``preference`` and ``target`` never (they rank and measure).

Facts by rule type (``actual``):
  int / decimal / share   a number (shares as decimals: 0.736)
  percent_of              ``{"amount": x, "base_amount": y}``
  bool                    a boolean: the duty was met
  choice (with bound)     a code of the same vocabulary (education, certificate level, rating)
  vocab_list              one code, or a list of codes (spending categories, procurement method, …)
  date / yearly_date /    the date the thing was done (``datetime.date``); a duration also needs ``due`` (the
  duration                date counted by the calendar), since the counting belongs to the ``workdays`` app
  frequency               the number of times in the period
  series                  ``{"year": 2022, "value": 0.25}``
  staffing                ``{"units": 14, "staff": 3, "certified": 2, "parttime": 0, "volunteers": 0,
                          "head_included": True}``
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .registry import RuleDef, cite, label_of, required_staff, rules, staffing_text, strength_label

PASS, FAIL, NOT_APPLICABLE, UNKNOWN = "pass", "fail", "not_applicable", "unknown"
OUTCOME_LABELS = {PASS: "符合", FAIL: "不符合", NOT_APPLICABLE: "不适用", UNKNOWN: "无法判断"}
NO_POLICY_NOTICE = "本区划尚无适用的实施方案"
LEVELS = {
    "education_levels": ["high_school", "junior_college", "bachelor", "master"],
    "certificate_levels": ["assistant", "intermediate", "senior"],
}
RATINGS = ["1A", "2A", "3A", "4A", "5A"]


@dataclass(frozen=True)
class Finding:
    rule_key: str
    rule_label: str
    outcome: str
    message: str
    strength: str = ""
    expected: Any = None  # the rule's value as stored
    expected_display: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    condition: str = ""
    clause: str = ""  # internal citation, e.g. [000 §5(3)]
    citation: str = ""  # the document's own number and article
    quote: str = ""
    division_name: str = ""
    reason: str = ""  # the recorded reason for an exception to an "as a rule" rule

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def strength_label(self) -> str:
        return strength_label(self.strength) if self.strength else ""

    @property
    def blocking(self) -> bool:
        """A failure that stops the action: a must, or an as-a-rule without a recorded reason."""
        if self.outcome != FAIL:
            return False
        return self.strength == "must" or (self.strength == "as_a_rule" and not self.reason)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["facts"] = {k: _plain(v) for k, v in self.facts.items()}
        data["expected"] = _plain(self.expected)
        data.update(outcome_label=self.outcome_label, strength_label=self.strength_label, blocking=self.blocking)
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _num(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValueError(f"不是数字：{value!r}") from None


def evaluate(
    policy: Any,
    key: str,
    *,
    actual: Any = None,
    conditions: dict[str, bool] | None = None,
    reason: str = "",
    names: dict[str, str] | None = None,
) -> Finding:
    """Check the rule ``key`` of an ``EffectivePolicy`` against ``actual``; see the module docstring."""
    rule: RuleDef = rules()[key]
    effective = policy.rules.get(key) if policy is not None else None
    facts = {"actual": actual}
    if effective is None or effective.source is None:
        has_any = policy is not None and bool(policy.sources())
        why = "本区划的政策未规定此项" if has_any else NO_POLICY_NOTICE
        ask = "，请民政部门确定" if rule.ask_bureau or not has_any else ""
        return Finding(key, rule.label, UNKNOWN, f"{rule.label}：{why}{ask}，无法判断。", facts=facts)
    source = effective.source
    base = {
        "rule_key": key,
        "rule_label": rule.label,
        "strength": effective.strength,
        "expected": effective.value,
        "expected_display": rule.display(effective.value, names),
        "facts": facts,
        "condition": effective.condition,
        "clause": source.clause,
        "citation": cite(source.clause),
        "quote": source.quote,
        "division_name": source.division_name,
        "reason": reason,
    }
    if effective.not_applicable:
        return Finding(outcome=NOT_APPLICABLE, message=f"{rule.label}：{source.division_name}规定本级不适用。", **base)
    code = effective.condition_code
    if code:
        held = (conditions or {}).get(code)
        facts["condition"] = held
        if held is None:
            return Finding(
                outcome=UNKNOWN,
                message=f"{rule.label}：只在“{label_of('conditions', code)}”时适用，尚不知道是否如此。",
                **base,
            )
        if not held:
            words = effective.condition or label_of("conditions", code)
            return Finding(
                outcome=NOT_APPLICABLE,
                message=f"{rule.label}：只在“{words}”时适用，目前不适用。",
                **base,
            )
    if actual is None:
        return Finding(outcome=UNKNOWN, message=f"{rule.label}：缺少核对所需的情况，无法判断。", **base)
    try:
        ok, detail = _compare(rule, effective.value, actual)
    except (ValueError, KeyError, TypeError) as exc:
        return Finding(outcome=UNKNOWN, message=f"{rule.label}：{exc}", **base)
    if ok is None:
        return Finding(outcome=UNKNOWN, message=f"{rule.label}：{detail}", **base)
    outcome = PASS if ok else FAIL
    message = f"{rule.label}：{detail}"
    if not ok and effective.strength == "as_a_rule":
        message += f"（原则性规定，例外理由：{reason}）" if reason else "（原则性规定，例外须记录理由）"
    if not ok and effective.strength in {"preference", "target"}:
        message += "（" + ("优先条件，只用于排序" if effective.strength == "preference" else "目标值，只计量") + "）"
    return Finding(outcome=outcome, message=message, **base)


def _compare(rule: RuleDef, value: Any, actual: Any) -> tuple[bool | None, str]:  # noqa: C901
    t, bound = rule.type, rule.bound
    expected = rule.display(value)
    if t in {"int", "decimal", "share"}:
        a, v = _num(actual), _num(value)
        shown = f"{a * 100:.1f}%" if t == "share" else f"{actual}{(' ' + rule.unit) if rule.unit else ''}"
        if bound == "max":
            return a <= v, f"实际 {shown}，上限 {expected}（含本数）"
        if bound == "min":
            return a >= v, f"实际 {shown}，下限 {expected}（含本数）"
        return a == v, f"实际 {shown}，规定 {expected}"
    if t == "percent_of":
        amount, base = _num(actual["amount"]), _num(actual["base_amount"])
        if base <= 0:
            return None, "计算基数为零，无法计算比例。"
        share = amount / base * 100
        limit = _num(value["percent"])
        shown = f"实际占 {share:.2f}%，规定 {expected}"
        return (share <= limit if bound == "max" else share >= limit), shown
    if t == "bool":
        if value is False:
            return True, "未作要求"
        return bool(actual), ("已做到" if actual else "未做到")
    if t == "choice" and rule.vocabulary in LEVELS:
        order = LEVELS[rule.vocabulary]
        return order.index(actual) >= order.index(value), f"实际 {rule.options.get(actual, actual)}，要求 {expected}"
    if t == "choice" and rule.key.endswith("rating"):
        shown = f"实际 {actual or '无评级'}，要求 {expected}"
        return (actual in RATINGS and RATINGS.index(actual) >= RATINGS.index(value)), shown
    if t == "choice":
        return actual == value, f"实际 {rule.options.get(actual, actual)}，规定 {expected}"
    if t == "vocab_list":
        items = actual if isinstance(actual, list) else [actual]
        names = "、".join(rule.options.get(i, str(i)) for i in items)
        if bound == "forbidden":
            bad = [i for i in items if i in value]
            return not bad, (f"{names} 属于禁止类别" if bad else f"{names} 不在禁止类别中")
        outside = [i for i in items if i not in value]
        return not outside, (f"{names} 不在允许范围（{expected}）内" if outside else f"{names} 在允许范围内")
    if t == "date":
        due = dt.date.fromisoformat(value)
        return actual <= due, f"完成于 {actual:%Y年%m月%d日}，期限 {expected}"
    if t == "yearly_date":
        month, day = (int(p) for p in value.split("-"))
        due = dt.date(actual.year, month, min(day, 28) if month == 2 and day == 29 else day)
        return actual <= due, f"完成于 {actual:%Y年%m月%d日}，期限 {expected}"
    if t == "duration":
        if not isinstance(actual, dict) or "due" not in actual:
            return None, "期限日期须由工作日历计算后提供。"
        if actual["due"] is None:
            return None, "工作日历尚未覆盖所需年份，无法计算期限。"
        done = actual.get("done")
        if done is None:
            return None, f"尚未完成，期限 {actual['due']:%Y年%m月%d日}（{expected}）"
        return done <= actual["due"], f"完成于 {done:%Y年%m月%d日}，期限 {actual['due']:%Y年%m月%d日}（{expected}）"
    if t == "frequency":
        return int(actual) >= value["times"], f"本周期 {actual} 次，规定 {expected}"
    if t == "series":
        year, got = str(actual["year"]), actual["value"]
        if year not in value:
            return None, f"{year}年没有目标值。"
        target = value[year]
        if rule.series_kind == "share":
            ok = _num(got) >= _num(target)
            return ok, f"{year}年 实际 {_num(got) * 100:.1f}%，目标不低于 {_num(target) * 100:.0f}%"
        return _num(got) >= _num(target), f"{year}年 实际 {got}，目标 {target}"
    if t == "staffing":
        return _staffing(value, actual)
    raise ValueError(f"此类规则（{rule.label}）不作比较。")


def _staffing(value: dict[str, Any], facts: dict[str, Any]) -> tuple[bool | None, str]:
    texts = []
    unknown = False
    for alt in value["alternatives"]:
        if not alt.get("minimum") and not alt.get("per") and alt["kind"] != "parttime":
            unknown = True
            texts.append(staffing_text(alt))
            continue
        need = required_staff(alt, facts.get("units"))
        if need is None:
            unknown = True
            texts.append(f"{staffing_text(alt)}：缺少计算单位数")
            continue
        if alt["kind"] == "parttime":
            have = int(facts.get("parttime", 0))
            ok = have >= max(need, 1) and (not alt.get("with_volunteers") or int(facts.get("volunteers", 0)) > 0)
        else:
            have = int(facts.get("certified" if alt.get("certificate") else "staff", 0))
            if not alt.get("head_counted", True) and facts.get("head_included"):
                have -= 1
            ok = have >= need
        texts.append(f"{staffing_text(alt)}：应 {need} 人，实际 {have} 人")
        if ok:
            return True, "；或 ".join(texts)
    if unknown:
        return None, "；".join(texts)
    return False, "；或 ".join(texts)
