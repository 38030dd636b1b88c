"""The registry of policy rule keys (policies/data/rules.json), loaded once at import, no database."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from core.jsonbounds import JSONBoundsError, loads_bounded

DATA_DIR = Path(__file__).resolve().parent / "data"

# Bounds on what a bureau may set (every text and list a user sets has a bound).
MAX_TEXT = 300  # characters of a text value
MAX_ITEMS = 50  # items of a list, keys of a map
MAX_ITEM = 100  # characters of a list item, a map key or a map value

SECTION_LABELS = {
    "stations": "站点建设",
    "contracts": "购买与协议",
    "staffing": "人员配置",
    "services": "服务内容",
    "reports": "报告与监管",
    "evaluation": "绩效评估",
    "funding": "经费保障",
    "targets": "年度目标",
}


@dataclass(frozen=True)
class RuleDef:
    key: str
    label: str
    type: str
    section: str
    unit: str = ""
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    placeholders: tuple[str, ...] = ()  # a text template may name only these {fields}

    @property
    def section_label(self) -> str:
        return SECTION_LABELS.get(self.section, self.section)

    def validate(self, value: Any) -> Any:
        """Return the value normalised to its JSON form, or raise ValueError with a Chinese message."""
        t = self.type
        if t == "int":
            if isinstance(value, bool):
                raise ValueError("应为整数。")
            try:
                number = int(str(value).strip())
            except (TypeError, ValueError):
                raise ValueError("应为整数。") from None
            if number < 0:
                raise ValueError("不能为负数。")
            return number
        if t == "decimal":
            try:
                amount = Decimal(str(value).strip())
            except (InvalidOperation, TypeError):
                raise ValueError("应为数字。") from None
            if not amount.is_finite() or amount < 0:
                raise ValueError("应为非负数字。")
            return str(amount)
        if t == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"true", "1", "是", "yes", "on"}:
                return True
            if text in {"false", "0", "否", "no", "off", ""}:
                return False
            raise ValueError("应为“是”或“否”。")
        if t == "text":
            text = str(value).strip()
            if not text:
                raise ValueError("不能为空。")
            if len(text) > MAX_TEXT:
                raise ValueError(f"不能超过 {MAX_TEXT} 个字符。")
            if self.placeholders:
                self._check_template(text)
            return text
        if t == "choice":
            allowed = {c for c, _ in self.choices}
            if value not in allowed:
                raise ValueError("不是可选的值。")
            return value
        if t == "list":
            items = value.splitlines() if isinstance(value, str) else value
            if not isinstance(items, list):
                raise ValueError("应为列表。")
            cleaned = [str(i).strip() for i in items if str(i).strip()]
            if not cleaned:
                raise ValueError("列表不能为空。")
            if len(cleaned) > MAX_ITEMS:
                raise ValueError(f"列表不能超过 {MAX_ITEMS} 项。")
            if any(len(i) > MAX_ITEM for i in cleaned):
                raise ValueError(f"每项不能超过 {MAX_ITEM} 个字符。")
            return cleaned
        if t == "map":
            if isinstance(value, str):
                try:
                    # Depth and size are checked before the JSON reader runs (core/jsonbounds.py).
                    value = loads_bounded(value, max_chars=MAX_ITEMS * MAX_ITEM * 3)
                except JSONBoundsError as exc:
                    raise ValueError(f'{exc} 应为 JSON 对象，例如 {{"third_party": "0.60"}}。') from None
            if not isinstance(value, dict) or not value:
                raise ValueError("应为非空的键值对。")
            if len(value) > MAX_ITEMS:
                raise ValueError(f"键值对不能超过 {MAX_ITEMS} 项。")
            out = {str(k): v for k, v in value.items()}
            for k, v in out.items():
                if isinstance(v, dict | list) or len(k) > MAX_ITEM or len(str(v)) > MAX_ITEM:
                    raise ValueError(f"每个键和值应为不超过 {MAX_ITEM} 个字符的简单值。")
            return out
        raise ValueError(f"未知类型 {t}")

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

    def display(self, value: Any) -> str:
        if value is None:
            return "—"
        if self.type == "bool":
            return "是" if value else "否"
        if self.type == "choice":
            return dict(self.choices).get(value, str(value))
        if self.type == "list":
            return "、".join(str(v) for v in value)
        if self.type == "map":
            return "；".join(f"{k}：{v}" for k, v in value.items())
        if self.type == "decimal" and self.unit == "元":
            return f"{Decimal(value):,.2f} 元"
        return f"{value} {self.unit}" if self.unit else str(value)

    def to_input(self, value: Any) -> str:
        if value is None:
            return ""
        if self.type == "list":
            return "\n".join(value)
        if self.type == "map":
            return json.dumps(value, ensure_ascii=False)
        if self.type == "bool":
            return "true" if value else "false"
        return str(value)


@cache
def rules() -> dict[str, RuleDef]:
    raw = json.loads((DATA_DIR / "rules.json").read_text(encoding="utf-8"))
    out: dict[str, RuleDef] = {}
    for r in raw:
        out[r["key"]] = RuleDef(
            key=r["key"],
            label=r["label"],
            type=r["type"],
            section=r["section"],
            unit=r.get("unit", ""),
            help=r.get("help", ""),
            choices=tuple(tuple(c) for c in r.get("choices", [])),
            placeholders=tuple(r.get("placeholders", [])),
        )
    return out


def preset_files() -> list[Path]:
    return sorted((DATA_DIR / "presets").glob("*.json"))
