"""Evaluation templates (评估指标体系): the shipped policy templates and the indicator arithmetic.

Shipped templates are policy data in ``evaluation/data/templates/*.json``: the aspects a document names, each with
its clause (泸州: 服务质量标准、服务量及服务成果标准、专业服务标准、服务项目管理标准 [001 annex 2 item 17(4)];
白沙: 项目实施、项目管理、服务绩效、资金使用 [002 §7(2)]). The documents set no maximum scores, so a template
ships with none (``"max_scores": "ask_bureau"``): the county bureau that adopts it sets them.

The rule for a party's score under a template (:func:`party_total`): the party enters each indicator's score
(0 to that indicator's maximum, two places); its party score is the sum of its indicator scores divided by the
sum of the maxima, times 100, rounded once to two places, half up — so a template whose maxima add up to 100
gives the plain sum, and one whose maxima add up to 80 scales (66.02 of 80 → 82.525 → 82.53). That party score is
what the weights of ``evaluation.scoring`` then apply to, unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from .scoring import CENT, MAX_SCORE, money_round

DATA = Path(__file__).resolve().parent / "data" / "templates"


@lru_cache(maxsize=1)
def presets() -> dict[str, dict[str, Any]]:
    """The shipped templates by key, in file-name order."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[data["key"]] = data
    return out


def parse_indicator_score(value: Any, name: str, maximum: Decimal) -> Decimal:
    """One indicator's score: a number from 0 to the indicator's maximum, at most two decimals (Chinese errors)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"请填写指标“{name}”的得分。")
    if isinstance(value, float | bool):
        raise ValueError(f"指标“{name}”的得分须以文字形式的数字给出，如“12.50”。")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValueError(f"指标“{name}”的得分不是数字。") from None
    if not number.is_finite():
        raise ValueError(f"指标“{name}”的得分不是数字。")
    if number < 0:
        raise ValueError(f"指标“{name}”的得分不能为负数。")
    if number > maximum:
        raise ValueError(f"指标“{name}”的得分 {number} 分超过该指标满分 {maximum} 分。")
    if number != number.quantize(CENT):
        raise ValueError(f"指标“{name}”的得分最多保留两位小数。")
    return number.quantize(CENT)


def parse_max_score(value: Any, name: str) -> Decimal | None:
    """A maximum score the bureau sets: empty means not set; else more than 0, at most 100, two places."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValueError(f"指标“{name}”的满分不是数字。") from None
    if not number.is_finite():
        raise ValueError(f"指标“{name}”的满分不是数字。")
    if number <= 0 or number > MAX_SCORE:
        raise ValueError(f"指标“{name}”的满分须大于 0 分、不超过 100 分。")
    if number != number.quantize(CENT):
        raise ValueError(f"指标“{name}”的满分最多保留两位小数。")
    return number.quantize(CENT)


def party_total(items: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """``items`` are (maximum, score) pairs: the sum of scores over the sum of maxima, times 100, two places,
    half up (see the module docstring)."""
    pairs = list(items)
    maxima = sum((m for m, _ in pairs), Decimal(0))
    if maxima <= 0:
        raise ValueError("指标体系没有可计分的指标。")
    scored = sum((s for _, s in pairs), Decimal(0))
    return money_round(scored * MAX_SCORE / maxima)


@dataclass(frozen=True)
class AspectTotal:
    aspect: str
    score: Decimal
    maximum: Decimal

    def to_dict(self) -> dict[str, str]:
        return {"aspect": self.aspect, "score": str(self.score), "max_score": str(self.maximum)}


def aspect_totals(items: Iterable[Any]) -> list[AspectTotal]:
    """Per aspect, in the order first met: the sum of the indicator scores and of their maxima (objects with
    ``aspect``, ``score`` and ``max_score``)."""
    order: list[str] = []
    sums: dict[str, list[Decimal]] = {}
    for item in items:
        if item.aspect not in sums:
            order.append(item.aspect)
            sums[item.aspect] = [Decimal(0), Decimal(0)]
        sums[item.aspect][0] += item.score
        sums[item.aspect][1] += item.max_score
    return [AspectTotal(a, sums[a][0], sums[a][1]) for a in order]
