"""Evaluation scores as Excel through the one writer (core.xlsx): write-only, every text cell a string.

Rows are the evaluations the caller sees; a party's score appears only where the caller may read it (each
party its own share until the result is fixed, bureaus every share), the same rule as the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from accounts.models import User
from core.xlsx import xlsx_bytes

from .api.serializers import visible_parties
from .models import Evaluation, PartyScore

COLUMNS = [
    "评估编号",
    "协议编号",
    "项目落地",
    "服务年度",
    "评估阶段",
    "第三方评估机构",
    "状态",
    *[f"{label}评分" for _code, label in PartyScore.Party.choices],
    "加权总分",
    "合格分数线",
    "评估结论",
]
WIDTHS = [10, 16, 18, 10, 14, 22, 12, 14, 14, 10, 10, 12, 10]


def _rows(user: User, evaluations: Iterable[Evaluation]) -> Iterator[list[Any]]:
    for e in evaluations:
        shown = visible_parties(user, e)
        scores = {s.party: s.score for s in e.scores.all()}
        verdict = "" if e.passed is None else ("合格" if e.passed else "不合格")
        yield [
            str(e.pk),
            e.contract.number,
            e.contract.division.name,
            str(e.service_year),
            e.get_stage_display(),
            e.evaluator.name,
            e.get_state_display(),
            *[scores.get(code) if shown is None or code in shown else None for code in PartyScore.Party.values],
            e.total,
            e.pass_mark,
            verdict,
        ]


def scores_xlsx(user: User, evaluations: Iterable[Evaluation]) -> bytes:
    return xlsx_bytes(COLUMNS, _rows(user, evaluations), title="绩效评估评分", widths=WIDTHS)
