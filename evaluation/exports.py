"""Evaluation scores as Excel through the one writer (core.xlsx): write-only, every text cell a string.

Two sheets: 绩效评估评分, one row per evaluation the caller sees (each party's score, the agency's self score, the
weighted total and the result), and 指标得分, one row per indicator score (the agency's self-evaluation and each
party's, with its aspect, maximum and, for the self-evaluation, the agency's comment). A party's scores appear only
where the caller may read them (each party its own share until the result is fixed, bureaus every share), the same
rule as the pages and the API; the self-evaluation, once submitted, is seen by everyone who sees the evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from accounts.models import User
from core.xlsx import xlsx_book_bytes

from .api.serializers import visible_parties
from .models import Evaluation, PartyScore, SelfEvaluation

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
    "机构自评得分",
]
WIDTHS = [10, 16, 18, 10, 14, 22, 12, 14, 14, 10, 10, 12, 10, 12]
ITEM_COLUMNS = ["评估编号", "协议编号", "服务年度", "评估阶段", "评分方", "评估方面", "指标", "满分", "得分", "说明"]
ITEM_WIDTHS = [10, 16, 10, 14, 12, 18, 24, 8, 8, 40]
SELF_LABEL = "机构自评"


def _self_of(evaluation: Evaluation) -> SelfEvaluation | None:
    try:
        return evaluation.self_evaluation
    except ObjectDoesNotExist:
        return None


def _rows(user: User, evaluations: Iterable[Evaluation]) -> Iterator[list[Any]]:
    for e in evaluations:
        shown = visible_parties(user, e)
        scores = {s.party: s.score for s in e.scores.all()}
        verdict = "" if e.passed is None else ("合格" if e.passed else "不合格")
        own = _self_of(e)
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
            None if own is None else own.score,
        ]


def _item_rows(user: User, evaluations: Iterable[Evaluation]) -> Iterator[list[Any]]:
    for e in evaluations:
        head = [str(e.pk), e.contract.number, str(e.service_year), e.get_stage_display()]
        own = _self_of(e)
        if own is not None:
            for own_item in own.items.all():
                yield [
                    *head,
                    SELF_LABEL,
                    own_item.aspect,
                    own_item.name,
                    own_item.max_score,
                    own_item.score,
                    own_item.comment,
                ]
        shown = visible_parties(user, e)
        for s in e.scores.all():
            if shown is not None and s.party not in shown:
                continue
            for i in s.items.all():
                yield [*head, s.get_party_display(), i.aspect, i.name, i.max_score, i.score, ""]


def scores_xlsx(user: User, evaluations: Iterable[Evaluation]) -> bytes:
    rows = list(evaluations)
    return xlsx_book_bytes(
        [
            ("绩效评估评分", COLUMNS, _rows(user, rows), WIDTHS),
            ("指标得分", ITEM_COLUMNS, _item_rows(user, rows), ITEM_WIDTHS),
        ]
    )
