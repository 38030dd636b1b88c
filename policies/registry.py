"""The registry of policy rules (policies/data/rules.json) and its vocabularies, loaded once, no database.

Each rule has a type; the type validates a value (raising ``ValueError`` with a Chinese message), normalises it
to its stored JSON form and explains it in words. Value shapes, by type:

==============  =================================================================================================
``int``         integer (``min``/``max`` from the rule)
``decimal``     decimal string, e.g. ``"1.2"``
``share``       decimal string between 0 and 1, shown as a percentage (``"0.25"`` → 25%)
``bool``        true / false
``text``        non-empty text; a name template may use only the rule's ``placeholders``
``choice``      one code of the rule's vocabulary (or its own ``choices``)
``list``        non-empty list of free texts
``vocab_list``  non-empty list of codes of the rule's vocabulary, no repeats
``vocab_map``   ``{code: text}``, codes of the rule's vocabulary, texts non-empty
``date``        absolute date, ISO ``"YYYY-MM-DD"`` (what ``EffectivePolicy.get`` returns)
``yearly_date`` a day of every year, ``"MM-DD"`` (``"02-29"`` allowed; ``"13-45"`` refused)
``duration``    ``{"amount": 15, "unit": "working_days"}``; unit one of calendar_days / working_days / months /
                years; the counting itself is done by the calendar (``workdays`` app), counted from the rule's
                ``anchor`` (e.g. 签订之日起), the day of the event not counted (Civil Code art. 201)
``frequency``   ``{"times": 1, "per": "week"}``: at least so many times per calendar period
``percent_of``  ``{"percent": "5", "base": "relief_fund_current_budget"}``: a percentage of a named base amount
``weights``     ``{party: "0.60", ...}``: parties from the vocabulary, each between 0 and 1, summing exactly to 1
``matrix``      ``{"parties": [...], "aspects": [...], "stages": [...]}``: who evaluates what, in which stages
``series``      ``{"2021": "0.10", "2022": "0.20"}``: a yearly target series (shares, or counts)
``staffing``    ``{"alternatives": [{"kind", "minimum", "per", "unit", "head_counted", "certificate",
                "with_volunteers", "basis"}, ...]}``: one or more formulas joined by "or"
==============  =================================================================================================
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import string
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

# Bounds on what a bureau may set (every text and list a user sets has a bound).
MAX_TEXT = 300  # characters of a text value
MAX_ITEMS = 50  # items of a list, keys of a map
MAX_ITEM = 100  # characters of a list item, a map key or a map value

SECTION_LABELS = {
    "stations": "站点建设",
    "milestones": "实施节点",
    "contracts": "购买与协议",
    "agency": "承接机构",
    "staffing": "人员配置",
    "services": "服务内容",
    "reports": "报告与监管",
    "evaluation": "绩效评估",
    "funding": "经费保障",
    "targets": "年度目标",
    "party": "党建引领",
}

TYPES = {
    "int",
    "decimal",
    "share",
    "bool",
    "text",
    "choice",
    "list",
    "vocab_list",
    "vocab_map",
    "date",
    "yearly_date",
    "duration",
    "frequency",
    "percent_of",
    "weights",
    "matrix",
    "series",
    "staffing",
}
ONE = Decimal(1)
CN_DIGITS = "〇一二三四五六七八九十"


@cache
def vocabularies() -> dict[str, dict[str, Any]]:
    raw = json.loads((DATA_DIR / "vocabularies.json").read_text(encoding="utf-8"))
    return {name: {"label": v["label"], "items": dict(v["items"])} for name, v in raw.items()}


def vocabulary(name: str) -> dict[str, str]:
    """``{code: Chinese label}`` of a vocabulary, in its order."""
    return vocabularies()[name]["items"]


def label_of(vocab: str, code: Any) -> str:
    return vocabulary(vocab).get(str(code), str(code))


STRENGTHS = ("must", "as_a_rule", "preference", "target")


def strength_label(code: str) -> str:
    return label_of("strengths", code).split("（")[0]


def _decimal(value: Any, message: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(message)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    return number


def _int(value: Any, message: str) -> int:
    if isinstance(value, bool):  # an int to Python, never a number to a bureau
        raise ValueError(message)
    if isinstance(value, float):  # a JSON client may send 15.0 for 15; never 2.5, inf or nan
        if not value.is_integer():
            raise ValueError(message)
        return int(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(message) from None


def _plain_decimal(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def percent_text(share: Any) -> str:
    return _plain_decimal(Decimal(str(share)) * 100) + "%"


def cn_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class RuleDef:
    key: str
    label: str
    type: str
    section: str
    unit: str = ""
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    vocabulary: str = ""
    placeholders: tuple[str, ...] = ()  # a text template may name only these {fields}
    min: int | None = None
    max: int | None = None
    anchor: str = ""  # duration: what the period is counted from, e.g. 签订之日起
    bound: str = ""  # how a fact is compared: "max" (≤), "min" (≥), "allowed", "forbidden", "equal"
    series_kind: str = "share"  # series: "share" or "count"
    ask_bureau: bool = False  # the documents are silent: the bureau decides, the platform invents nothing

    @property
    def section_label(self) -> str:
        return SECTION_LABELS.get(self.section, self.section)

    @property
    def options(self) -> dict[str, str]:
        """The allowed codes with their Chinese labels (choice, vocab_list, vocab_map, weights)."""
        if self.choices:
            return dict(self.choices)
        if self.vocabulary:
            return vocabulary(self.vocabulary)
        return {}

    # --- validation ------------------------------------------------------------------------------------------

    def validate(self, value: Any) -> Any:
        """Return the value normalised to its JSON form, or raise ValueError with a Chinese message."""
        check = getattr(self, f"_v_{self.type}", None)
        if check is None:
            raise ValueError(f"未知的规则类型：{self.type}")
        return check(value)

    def _v_int(self, value: Any) -> int:
        number = _int(value, "应为整数。")
        low = 0 if self.min is None else self.min
        if number < low:
            raise ValueError("不能为负数。" if low == 0 else f"不能小于 {low}。")
        if self.max is not None and number > self.max:
            raise ValueError(f"不能大于 {self.max}。")
        return number

    def _v_decimal(self, value: Any) -> str:
        number = _decimal(value, "应为数字。")
        if number < 0:
            raise ValueError("应为非负数字。")
        return _plain_decimal(number)

    def _v_share(self, value: Any) -> str:
        number = _decimal(value, "应为 0 到 1 之间的比例，例如 0.25 表示 25%。")
        if not 0 <= number <= 1:
            raise ValueError("比例应在 0 到 1 之间（0% 到 100%）。")
        return _plain_decimal(number)

    def _v_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "是", "yes", "on"}:
            return True
        if text in {"false", "0", "否", "no", "off"}:
            return False
        raise ValueError("应为“是”或“否”。")

    def _v_text(self, value: Any) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError("应为文字。")
        text = str(value).strip()
        if not text:
            raise ValueError("不能为空。")
        if len(text) > MAX_TEXT:
            raise ValueError(f"不能超过 {MAX_TEXT} 个字。")
        if self.placeholders:
            self._check_template(text)
        return text

    def _v_choice(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise ValueError(f"不是可选的值；可选：{'、'.join(self.options.values())}。")
        return value

    def _v_list(self, value: Any) -> list[str]:
        items = value.splitlines() if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ValueError("应为列表（每行一项）。")
        if any(not isinstance(i, str | int) or isinstance(i, bool) for i in items):
            raise ValueError("列表中的每一项都应为文字。")
        cleaned = [str(i).strip() for i in items if str(i).strip()]
        if not cleaned:
            raise ValueError("列表不能为空。")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("列表中有重复的项。")
        if len(cleaned) > MAX_ITEMS:
            raise ValueError(f"列表不能超过 {MAX_ITEMS} 项。")
        if any(len(i) > MAX_ITEM for i in cleaned):
            raise ValueError(f"每项不能超过 {MAX_ITEM} 个字符。")
        return cleaned

    def _v_vocab_list(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValueError("请至少选择一项。")
        options = self.options
        bad = [str(v) for v in value if not isinstance(v, str) or v not in options]
        if bad:
            raise ValueError(f"“{bad[0]}”不是可选的值；可选：{'、'.join(options.values())}。")
        if len(set(value)) != len(value):
            raise ValueError("同一项不能重复选择。")
        return [code for code in options if code in value]  # vocabulary order

    def _v_vocab_map(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not value:
            raise ValueError("请至少填写一项。")
        options = self.options
        out: dict[str, str] = {}
        for code in value:
            if code not in options:
                raise ValueError(f"“{code}”不是可选的事项；可选：{'、'.join(options.values())}。")
        for code in options:
            if code in value:
                text = value[code]
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"“{options[code]}”的处置要求应为文字，不能为空。")
                out[code] = text.strip()
        return out

    def _v_date(self, value: Any) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("应为日期，格式为 年-月-日，例如 2021-05-31。")
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError(f"{value.strip()} 不是存在的日期。") from None

    def _v_yearly_date(self, value: Any) -> str:
        text = value.strip() if isinstance(value, str) else ""
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
        if not match:
            raise ValueError("应为每年的月和日，格式为 月-日，例如 11-30。")
        month, day = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"月份应在 1 到 12 之间，不能是 {month}。")
        try:
            dt.date(2024, month, day)  # a leap year: 02-29 is a day of some years
        except ValueError:
            raise ValueError(f"{month}月没有{day}日。") from None
        return f"{month:02d}-{day:02d}"

    def _v_duration(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or set(value) - {"amount", "unit"}:
            raise ValueError("期限应包括数量和计算方法。")
        amount = _int(value.get("amount"), "期限的数量应为正整数。")
        if amount < 1:
            raise ValueError("期限的数量应为正整数。")
        unit = value.get("unit")
        if unit not in vocabulary("duration_units"):
            raise ValueError("请选择期限的计算方法：自然日、工作日、月或年。")
        return {"amount": amount, "unit": unit}

    def _v_frequency(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or set(value) - {"times", "per"}:
            raise ValueError("频次应包括次数和周期。")
        times = _int(value.get("times"), "次数应为正整数。")
        if times < 1:
            raise ValueError("次数应为正整数。")
        if value.get("per") not in vocabulary("periods"):
            raise ValueError("请选择周期：自然周、自然月、季度或年度。")
        return {"times": times, "per": value["per"]}

    def _v_percent_of(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or set(value) - {"percent", "base"}:
            raise ValueError("应包括百分比和计算基数。")
        percent = _decimal(value.get("percent"), "百分比应为数字，例如 5 表示 5%。")
        if not 0 < percent <= 100:
            raise ValueError("百分比应大于 0、不超过 100。")
        if value.get("base") not in vocabulary("base_amounts"):
            raise ValueError("请选择计算基数（以哪一项金额为基数）。")
        return {"percent": _plain_decimal(percent), "base": value["base"]}

    def _v_weights(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not value:
            raise ValueError("请填写各评估方的权重。")
        options = self.options
        out: dict[str, str] = {}
        for party in value:
            if party not in options:
                raise ValueError(f"“{party}”不是评估方；评估方只能是：{'、'.join(options.values())}。")
        total = Decimal(0)
        for party in options:
            if party not in value:
                continue
            weight = _decimal(value[party], f"{options[party]}的权重应为 0 到 1 之间的数字。")
            if not 0 < weight <= 1:
                raise ValueError(f"{options[party]}的权重应大于 0、不超过 1（100%）。")
            total += weight
            out[party] = _plain_decimal(weight)
        if total != ONE:
            raise ValueError(f"各方权重之和应恰好为 100%，现为 {percent_text(total)}。")
        return out

    def _v_matrix(self, value: Any) -> dict[str, list[str]]:
        if not isinstance(value, dict) or set(value) - {"parties", "aspects", "stages"}:
            raise ValueError("评估矩阵应包括评估方、评估内容和评估阶段。")
        parties = value.get("parties") or []
        stages = value.get("stages") or []
        out: dict[str, list[str]] = {}
        party_options, stage_options = vocabulary("evaluation_parties"), vocabulary("evaluation_stages")
        if not isinstance(parties, list) or any(p not in party_options for p in parties):
            raise ValueError(f"评估方只能是：{'、'.join(party_options.values())}。")
        if not isinstance(stages, list) or not stages or any(s not in stage_options for s in stages):
            raise ValueError(f"请选择评估阶段：{'、'.join(stage_options.values())}。")
        try:
            aspects = self._v_list(value.get("aspects") or [])
        except ValueError:
            raise ValueError("请填写评估内容（每行一项）。") from None
        out["parties"] = [p for p in party_options if p in parties]
        out["aspects"] = aspects
        out["stages"] = [s for s in stage_options if s in stages]
        return out

    def _v_series(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise ValueError("请至少填写一个年度的目标。")
        out: dict[str, Any] = {}
        for year in sorted(value, key=str):
            if not re.fullmatch(r"(19|20|21)\d{2}", str(year)):
                raise ValueError(f"“{year}”不是年份，应为四位数的年份，例如 2021。")
            if self.series_kind == "text":
                text = value[year]
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"{year}年的目标应为文字，不能为空。")
                out[str(year)] = text.strip()
            elif self.series_kind == "count":
                number = _int(value[year], f"{year}年的目标应为整数。")
                if number < 0:
                    raise ValueError(f"{year}年的目标不能为负数。")
                out[str(year)] = number
            else:
                share = _decimal(value[year], f"{year}年的目标应为 0 到 1 之间的比例。")
                if not 0 <= share <= 1:
                    raise ValueError(f"{year}年的目标应在 0% 到 100% 之间。")
                out[str(year)] = _plain_decimal(share)
        return out

    def _v_staffing(self, value: Any) -> dict[str, Any]:
        alternatives = value.get("alternatives") if isinstance(value, dict) else None
        if not isinstance(alternatives, list) or not alternatives:
            raise ValueError("请至少填写一种配备方式。")
        if len(alternatives) > 3:
            raise ValueError("最多三种可互相替代的配备方式。")
        kinds, units, certs = vocabulary("staff_kinds"), vocabulary("counted_units"), vocabulary("certificate_levels")
        allowed = {"kind", "minimum", "per", "unit", "head_counted", "certificate", "with_volunteers", "basis"}
        out = []
        for n, alt in enumerate(alternatives, start=1):
            where = f"第{n}种配备方式：" if len(alternatives) > 1 else ""
            if not isinstance(alt, dict) or set(alt) - allowed:
                raise ValueError(f"{where}格式不正确。")
            if alt.get("kind") not in kinds:
                raise ValueError(f"{where}请选择人员类别（{'、'.join(kinds.values())}）。")
            clean: dict[str, Any] = {"kind": alt["kind"]}
            for field, label in (("minimum", "最少人数"), ("per", "每多少个单位配 1 人")):
                raw = alt.get(field)
                if raw in (None, ""):
                    clean[field] = None
                    continue
                number = _int(raw, f"{where}{label}应为正整数。")
                if number < 1:
                    raise ValueError(f"{where}{label}应为正整数。")
                clean[field] = number
            unit = alt.get("unit") or None
            if clean["per"] is not None and unit not in units:
                raise ValueError(f"{where}按比例配备时，请选择计算单位（{'、'.join(units.values())}）。")
            if unit is not None and unit not in units:
                raise ValueError(f"{where}计算单位不是可选的值。")
            clean["unit"] = unit if clean["per"] is not None else None
            clean["head_counted"] = self._v_bool(alt.get("head_counted", True))
            cert = alt.get("certificate") or None
            if cert is not None and cert not in certs:
                raise ValueError(f"{where}证书等级不是可选的值。")
            clean["certificate"] = cert
            clean["with_volunteers"] = self._v_bool(alt.get("with_volunteers", False))
            basis = alt.get("basis") or ""
            if not isinstance(basis, str) or len(basis) > 200:
                raise ValueError(f"{where}配备依据应为 200 字以内的文字。")
            clean["basis"] = basis.strip()
            if clean["minimum"] is None and clean["per"] is None and not clean["basis"] and clean["kind"] != "parttime":
                raise ValueError(f"{where}请填写最少人数、按比例配备或配备依据中的至少一项。")
            out.append(clean)
        return {"alternatives": out}

    def _check_template(self, text: str) -> None:
        allowed = "、".join("{" + p + "}" for p in self.placeholders)
        try:
            fields = [f for _, f, spec, conv in string.Formatter().parse(text) if f is not None or spec or conv]
        except ValueError:
            raise ValueError(f"模板格式有误（花括号不成对）；可用的占位符：{allowed}。") from None
        bad = [f for f in fields if f not in self.placeholders]
        if not bad and any(spec or conv for _, _, spec, conv in string.Formatter().parse(text)):
            # "{township:>200000}" would pad every name that uses the template to 200,000 characters.
            raise ValueError(f"模板中的占位符不能带格式说明（如宽度、对齐）；可用的占位符：{allowed}。")
        if bad:
            raise ValueError(f"模板中的占位符 {{{bad[0]}}} 无效；可用的占位符：{allowed}。")

    # --- explanation -----------------------------------------------------------------------------------------

    def display(self, value: Any, names: dict[str, str] | None = None) -> str:
        """The value in words. ``names`` fills a name template ({county}, {township}, …) for one place."""
        if value is None:
            return "—"
        try:
            return getattr(self, f"_d_{self.type}")(value, names)
        except (AttributeError, KeyError, TypeError, ValueError, InvalidOperation):
            return str(value)

    def _d_int(self, value: Any, names: Any) -> str:
        return f"{value} {self.unit}" if self.unit else str(value)

    def _d_decimal(self, value: Any, names: Any) -> str:
        if self.unit == "元":
            return f"{Decimal(value):,.2f} 元"
        return f"{value} {self.unit}" if self.unit else str(value)

    def _d_share(self, value: Any, names: Any) -> str:
        return percent_text(value)

    def _d_bool(self, value: Any, names: Any) -> str:
        return "是" if value else "否"

    def _d_text(self, value: Any, names: Any) -> str:
        if self.placeholders:
            return render_template(value, names)
        return str(value)

    def _d_choice(self, value: Any, names: Any) -> str:
        return self.options.get(value, str(value))

    def _d_list(self, value: Any, names: Any) -> str:
        return "、".join(str(v) for v in value)

    def _d_vocab_list(self, value: Any, names: Any) -> str:
        return "、".join(self.options.get(v, v) for v in value)

    def _d_vocab_map(self, value: Any, names: Any) -> str:
        return "；".join(f"{label}：{value[code]}" for code, label in self.options.items() if code in value)

    def _d_date(self, value: Any, names: Any) -> str:
        return cn_date(value)

    def _d_yearly_date(self, value: Any, names: Any) -> str:
        month, day = (int(p) for p in value.split("-"))
        return f"每年{month}月{day}日"

    def _d_duration(self, value: Any, names: Any) -> str:
        unit = value["unit"]
        words = {"calendar_days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}[unit]
        return f"{self.anchor}{value['amount']}{words}内"

    def _d_frequency(self, value: Any, names: Any) -> str:
        per = {"week": "每自然周", "month": "每自然月", "quarter": "每季度", "year": "每年"}[value["per"]]
        return f"{per}不少于{value['times']}次"

    def _d_percent_of(self, value: Any, names: Any) -> str:
        base = label_of("base_amounts", value["base"])
        word = {"min": "不少于", "max": "不超过"}.get(self.bound, "")
        return f"{word}{base}的{value['percent']}%"

    def _d_weights(self, value: Any, names: Any) -> str:
        # In the vocabulary's order: PostgreSQL's jsonb does not keep the keys' order.
        return "，".join(
            f"{label} {percent_text(value[code])}" for code, label in self.options.items() if code in value
        )

    def _d_matrix(self, value: Any, names: Any) -> str:
        parts = []
        if value.get("parties"):
            parts.append("评估方：" + "、".join(label_of("evaluation_parties", p) for p in value["parties"]))
        parts.append("评估内容：" + "、".join(value["aspects"]))
        parts.append("阶段：" + "→".join(label_of("evaluation_stages", s) for s in value["stages"]))
        return "；".join(parts)

    def _d_series(self, value: Any, names: Any) -> str:
        if self.series_kind == "text":
            return "；".join(f"{y}年：{value[y]}" for y in sorted(value))
        if self.series_kind == "count":
            return "；".join(f"{y}年 {value[y]}{self.unit}" for y in sorted(value))
        return "；".join(f"{y}年 不低于{percent_text(value[y])}" for y in sorted(value))

    def _d_staffing(self, value: Any, names: Any) -> str:
        return "；或 ".join(staffing_text(alt) for alt in value["alternatives"])

    def to_input(self, value: Any) -> str:
        """A plain-text rendering for simple inputs (lists one per line)."""
        if value is None:
            return ""
        if self.type == "list":
            return "\n".join(value)
        if self.type == "bool":
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return str(value)


def staffing_text(alt: dict[str, Any]) -> str:
    kind = label_of("staff_kinds", alt["kind"])
    parts: list[str] = []
    if alt.get("per"):
        parts.append(f"每{alt['per']}个{label_of('counted_units', alt['unit'])}配备1名{kind}（向上取整）")
        if alt.get("minimum"):
            parts.append(f"不少于{alt['minimum']}名")
    elif alt.get("minimum"):
        parts.append(f"不少于{alt['minimum']}名{kind}")
    elif alt["kind"] == "parttime":
        parts.append(f"数名{kind}")
    if alt.get("certificate"):
        parts.append(f"须持{label_of('certificate_levels', alt['certificate']).split('（')[0]}及以上证书")
    if alt.get("minimum") or alt.get("per"):
        parts.append("站长计入" if alt.get("head_counted", True) else "站长不占名额")
    if alt.get("with_volunteers"):
        parts.append("以及若干志愿者")
    if alt.get("basis"):
        parts.append(alt["basis"])
    return "，".join(parts)


def required_staff(alt: dict[str, Any], units: int | None) -> int | None:
    """The number of staff one formula asks for (None when it needs a count of units that is not known)."""
    need = alt.get("minimum") or 0
    if alt.get("per"):
        if units is None:
            return None
        need = max(need, math.ceil(units / alt["per"]))
    return need


def render_template(template: str, names: dict[str, str] | None) -> str:
    """A name template filled for one place; without a place, placeholders are shown as 「县名」 etc."""
    words = {
        "province": "省名",
        "city": "市名",
        "county": "县名",
        "township": "乡镇名",
        "village": "村名",
    }
    filled = {k: (names or {}).get(k) or f"〔{w}〕" for k, w in words.items()}
    try:
        return template.format(**filled)
    except (KeyError, IndexError, ValueError):
        return template


@cache
def documents() -> dict[str, dict[str, Any]]:
    return json.loads((DATA_DIR / "documents.json").read_text(encoding="utf-8"))


def _cn_number(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")


CLAUSE_RE = re.compile(
    r"^\[(?P<seed>\d{3})\s+(?:§(?P<part>\d+)(?:\((?P<item>\d+)\))?|annex\s+(?P<annex>\d+)"
    r"(?:\s+item\s+(?P<aitem>\d+)(?:\((?P<asub>\d+)\))?)?)\]$"
)


def document_name(seed: str) -> str:
    doc = documents().get(seed)
    if doc is None:
        return ""
    return doc["number"] or f"《{doc['title']}》"


def cite(clause: str) -> str:
    """The document's own number and article for an internal citation such as ``[000 §4(2)]``.

    ``[000 §4(2)]`` → ``田政办〔2021〕25号 第四部分第（二）项``; a document without a number is named by its title;
    a clause typed by a bureau in its own words is returned as it is.
    """
    match = CLAUSE_RE.match((clause or "").strip())
    if match is None or match["seed"] not in documents():
        return (clause or "").strip()
    name = document_name(match["seed"])
    if match["part"]:
        where = f"第{_cn_number(int(match['part']))}部分"
        if match["item"]:
            where += f"第（{_cn_number(int(match['item']))}）项"
    else:
        where = f"附件{match['annex']}"
        if match["aitem"]:
            where += f"第{match['aitem']}条"
            if match["asub"]:
                where += f"第（{_cn_number(int(match['asub']))}）项"
    return f"{name} {where}"


@cache
def rules() -> dict[str, RuleDef]:
    raw = json.loads((DATA_DIR / "rules.json").read_text(encoding="utf-8"))
    out: dict[str, RuleDef] = {}
    for r in raw:
        rule = RuleDef(
            key=r["key"],
            label=r["label"],
            type=r["type"],
            section=r["section"],
            unit=r.get("unit", ""),
            help=r.get("help", ""),
            choices=tuple(tuple(c) for c in r.get("choices", [])),
            vocabulary=r.get("vocabulary", ""),
            placeholders=tuple(r.get("placeholders", [])),
            min=r.get("min"),
            max=r.get("max"),
            anchor=r.get("anchor", ""),
            bound=r.get("bound", ""),
            series_kind=r.get("series_kind", "share"),
            ask_bureau=r.get("ask_bureau", False),
        )
        if rule.type not in TYPES:
            raise ValueError(f"rules.json: {rule.key} has unknown type {rule.type}")
        if rule.vocabulary and rule.vocabulary not in vocabularies():
            raise ValueError(f"rules.json: {rule.key} names unknown vocabulary {rule.vocabulary}")
        if rule.type in {"choice", "vocab_list", "vocab_map", "weights"} and not rule.options:
            raise ValueError(f"rules.json: {rule.key} needs a vocabulary")
        out[rule.key] = rule
    return out


def preset_files() -> list[Path]:
    return sorted((DATA_DIR / "presets").glob("*.json"))
