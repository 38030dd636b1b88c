"""Evaluation deadlines as obligation kinds (registered in EvaluationConfig.ready()), raised, reminded and flagged
by the daily sweep (obligations/sweep.py), each reminder stage once:

- 组织中期评估 ``evaluation.due.midterm`` / 组织末期评估 ``evaluation.due.final``: the buyer county bureau owes
  each agreement term the evaluation stages its county's policy asks for (evaluation.deadlines.stages_owed), due on
  the day evaluation.deadlines.evaluation_due gives; done when that stage's evaluation of the term's service year
  has its result fixed. Owed while the term is in force, and after it expired until the renewal is decided (the
  final evaluation is what the renewal gate reads); a terminated term, a decided renewal or an expired term whose
  next term exists (signed without the gate) owes none any more.
- 提交机构自评 ``evaluation.self_evaluation``: the agreement's agency owes the self-evaluation of an evaluation
  waiting for it, by the evaluation's due day; done once submitted.
- 评估评分 ``evaluation.score.<party>``: each party the policy names (evaluation.deadlines.parties_owed) owes its
  score of an evaluation open for scores — the assigned evaluator the third party's, the buyer bureau the county
  bureau's, the agreement's township the township's — by the evaluation's due day; done once entered (or the
  result fixed).

Set-based like every kind: the policies that set an evaluation rule are read once each (a handful), the calendar
once, and the distinct agreement terms (start, end, service year, stage) once; each row then takes its due day,
and whether its county's policy asks for it, from SQL ``CASE`` expressions on those values and the division code
prefix. The query count does not grow with agreements or evaluations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, ExtractYear, Substr
from django.urls import reverse

from contracts.models import Contract
from core.scoping import Action
from policies.models import PolicyRule
from policies.policy import EffectivePolicy, effective_policy

from .deadlines import MATRIX, PER_YEAR, STAGES, WEIGHTS, deepest, evaluation_due, parties_owed, stages_owed
from .models import Evaluation, PartyScore

S = Contract.Status
STAGE_LABELS = {"midterm": "中期评估", "final": "末期评估"}
PARTY_LABELS = {"third_party": "第三方机构", "county_bureau": "县民政局", "township": "乡镇"}
# The next yearly term of the same project (buyer, place, agency), however it was signed.
SUCCESSOR = Exists(
    Contract.objects.filter(
        buyer_id=OuterRef("buyer_id"),
        division_id=OuterRef("division_id"),
        agency_id=OuterRef("agency_id"),
        start_date__gt=OuterRef("end_date"),
        status__in=[S.SIGNED, S.FILED, S.ACTIVE, S.EXPIRED],
    )
)
# A term owes its evaluations while in force, and once expired until its renewal is decided (through the gate, or
# by a next term signed without it: the evaluation then gates nothing any more).
OWING_TERMS = Q(status=S.ACTIVE) | (Q(status=S.EXPIRED, renewal__isnull=True) & ~Q(SUCCESSOR))
ENDED_TERMS = Q(status=S.TERMINATED) | Q(renewal__isnull=False) | (Q(status=S.EXPIRED) & Q(SUCCESSOR))
Reader = Callable[[EffectivePolicy], tuple[frozenset[str], str, str]]


def _policies(actor: Any) -> list[tuple[str, EffectivePolicy]]:
    """The effective policy at each division whose policy sets an evaluation rule, deepest first."""
    codes = set(
        PolicyRule.objects.for_user(actor, Action.VIEW)
        .filter(key__in=(MATRIX, PER_YEAR, WEIGHTS))
        .values_list("policy__division_id", flat=True)
    )
    return [(code, effective_policy(code)) for code, _ in deepest([(c, None) for c in codes])]


def _by_county(actor: Any, read: Reader, item: str, path: str) -> tuple[Any, Any, Any]:
    """(owed, rule key, clause) as CASE expressions on the division code prefix at ``path``: whether the deepest
    policy above each row asks for ``item`` (a stage or a party), under which rule and clause."""
    owed: list[When] = []
    keys: list[When] = []
    clauses: list[When] = []
    for code, policy in _policies(actor):
        items, key, clause = read(policy)
        if not key:
            continue
        prefix = Q(**{f"{path}__startswith": code})
        owed.append(When(prefix, then=Value(item in items)))
        keys.append(When(prefix, then=Value(key)))
        clauses.append(When(prefix, then=Value(clause)))
    if not owed:
        false = Value(False, output_field=BooleanField())
        empty = Value("", output_field=CharField())
        return false, empty, empty
    return (
        Case(*owed, default=Value(False), output_field=BooleanField()),
        Case(*keys, default=Value(""), output_field=CharField()),
        Case(*clauses, default=Value(""), output_field=CharField()),
    )


def _date_case(whens: list[When]) -> Any:
    if not whens:
        return Value(None, output_field=DateField())
    return Case(*whens, default=Value(None), output_field=DateField())


# --- the buyer bureau organises each stage ------------------------------------------------------------------


def _stage_done(stage: str) -> Q:
    return Q(
        Exists(
            Evaluation.objects.filter(
                contract_id=OuterRef("pk"),
                stage=stage,
                state=Evaluation.State.FINAL,
                service_year=ExtractYear(OuterRef("start_date")),
            )
        )
    )


def stage_rows(stage: str) -> Callable[[Any, dt.date], QuerySet[Contract]]:
    def rows(actor: Any, today: dt.date) -> QuerySet[Contract]:
        from workdays.selectors import work_calendar

        owed, key, clause = _by_county(actor, stages_owed, stage, "division__pk")
        base = (
            Contract.objects.for_user(actor, Action.VIEW)
            .filter(OWING_TERMS)
            .exclude(_stage_done(stage))
            .annotate(ob_owed=owed)
            .filter(ob_owed=True)
        )
        terms = sorted(set(base.values_list("start_date", "end_date")))
        cal = work_calendar() if terms else None
        whens = [
            When(start_date=s, end_date=e, then=Value(evaluation_due(s, e, s.year, stage, cal)))  # type: ignore[arg-type]
            for s, e in terms
        ]
        return base.annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=Concat(
                Value("协议"),
                "number",
                Value("："),
                Cast(ExtractYear("start_date"), CharField()),
                Value(f"年度{STAGE_LABELS[stage]}待组织"),
                output_field=CharField(),
            ),
            ob_owner_id=F("buyer_id"),
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=_date_case(whens),
            ob_rule_key=key,
            ob_clause=clause,
            ob_link=Value(reverse("evaluation-list"), output_field=CharField()),
        ).filter(ob_due_date__isnull=False)

    return rows


# --- the agency's self-evaluation and the parties' scores, per evaluation ------------------------------------


def _evaluation_rows(
    actor: Any, base: QuerySet[Evaluation], read: Reader, item: str | None, title: str, owner: Any
) -> QuerySet[Evaluation]:
    """Rows of an evaluation's obligation: due on the evaluation's day, cited by the rule ``read`` answers with
    (and, with ``item``, only where the county's policy names it)."""
    from obligations.registry import url_expression
    from workdays.selectors import work_calendar

    owed, key, clause = _by_county(actor, read, item or "", "contract__division__pk")
    if item is not None:
        base = base.annotate(ob_owed=owed).filter(ob_owed=True)
    terms = sorted(set(base.values_list("contract__start_date", "contract__end_date", "service_year", "stage")))
    cal = work_calendar() if terms else None
    whens = [
        When(
            contract__start_date=s,
            contract__end_date=e,
            service_year=y,
            stage=st,
            then=Value(evaluation_due(s, e, y, st, cal)),  # type: ignore[arg-type]
        )
        for s, e, y, st in terms
    ]
    stage_names = Case(
        *[When(stage=code, then=Value(label)) for code, label in Evaluation.Stage.choices],
        default=Value(""),
        output_field=CharField(),
    )
    return base.annotate(
        ob_object_id=F("pk"),
        ob_period=Value("", output_field=CharField()),
        ob_title=Concat(
            Value("协议"),
            "contract__number",
            Value("："),
            Cast("service_year", CharField()),
            Value("年度"),
            stage_names,
            Value(title),
            output_field=CharField(),
        ),
        ob_owner_id=owner,
        ob_division_id=F("contract__division_id"),
        ob_notify_division_id=Substr("contract__division_id", 1, 6),
        ob_due_date=_date_case(whens),
        ob_rule_key=key,
        ob_clause=clause,
        ob_link=url_expression("evaluation-detail"),
    ).filter(ob_due_date__isnull=False)


SELF_DONE = ~Q(state=Evaluation.State.SELF)


def self_rows(actor: Any, today: dt.date) -> QuerySet[Evaluation]:
    base = Evaluation.objects.for_user(actor, Action.VIEW).filter(state=Evaluation.State.SELF)
    return _evaluation_rows(actor, base, stages_owed, None, "：待承接机构提交自评", F("contract__agency_id"))


def _scored(party: str) -> Q:
    return Q(state=Evaluation.State.FINAL) | Q(
        Exists(PartyScore.objects.filter(evaluation_id=OuterRef("pk"), party=party))
    )


OWNERS = {
    "third_party": F("evaluator_id"),
    "county_bureau": F("contract__buyer_id"),
    "township": F("contract__township_id"),
}


def score_rows(party: str) -> Callable[[Any, dt.date], QuerySet[Evaluation]]:
    def rows(actor: Any, today: dt.date) -> QuerySet[Evaluation]:
        base = Evaluation.objects.for_user(actor, Action.VIEW).filter(state=Evaluation.State.OPEN)
        return _evaluation_rows(actor, base, parties_owed, party, f"：待{PARTY_LABELS[party]}评分", OWNERS[party])

    return rows


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    for stage in STAGES:
        register(
            ObligationKind(
                key=f"evaluation.due.{stage}",
                label=f"组织{STAGE_LABELS[stage]}",
                model=Contract,
                rows=stage_rows(stage),
                done=_stage_done(stage),
                void=ENDED_TERMS,
                void_reason="协议已终止或已作出续签决定，不再需要本年度评估。",
                description=f"在评估页面新建{STAGE_LABELS[stage]}并认定评估结果即视为完成。",
            )
        )
    register(
        ObligationKind(
            key="evaluation.self_evaluation",
            label="提交机构自评",
            model=Evaluation,
            rows=self_rows,
            done=SELF_DONE,
            description="在评估页面提交机构自评即视为完成；提交后各评估方开始评分。",
        )
    )
    for party, label in PARTY_LABELS.items():
        register(
            ObligationKind(
                key=f"evaluation.score.{party}",
                label=f"{label}评分",
                model=Evaluation,
                rows=score_rows(party),
                done=_scored(party),
                notify_township=party == "township",
                description="在评估页面录入本方评分即视为完成。",
            )
        )
