"""The agreement's deadlines as obligation kinds (registered in ContractsConfig.ready()).

- 协议报备 ``contract.filing``: the buying county bureau files the agreement's copy with the bureau above within
  the policy's period (``contract.filing_deadline``, Datian [000 §5(3)] "签订之日起 15 个工作日内报市民政局备案"),
  counted on the working-day calendar from signing (signing day not counted). Done when the filing is recorded;
  the city bureau (the filing's receiver) is told.
- 驻站社工到岗 ``contract.deployment``: the agency deploys its resident workers within the policy's period
  (``contract.deployment_deadline``, Datian [000 §5(4)]). Done when every station the agreement covers is
  operating (or has operated and is suspended); the county bureau is told.
- 确认项目任务书 ``contract.task_book.<party>``: each party the policy names (``contract.task_book_confirmed_by``,
  [001 annex 2 item 11]) confirms the task book, an annex of the agreement, before the service starts (due the
  agreement's start date). Done when that party's confirmation is recorded.

- 续签决定 ``contract.renewal``: before a yearly term ends, the buying county bureau decides on the next term within
  the cycle (the cycle runs past the term's end) through the renewal gate (``evaluation.renew``: renewed, or refused
  and procured again), where the policy sets how the evaluation decides renewal (``contract.renewal_evaluation``,
  Datian [000 §5(5)]). Due the term's last day; done when the decision is recorded (a ``evaluation.Renewal`` row,
  read through the reverse relation, so this app does not import evaluation).
- 四方服务协议到期续签或终止 ``contract.care_agreement.term``: a signed four-party care agreement ([004 §3(7)],
  where the effective policy of its village requires the four-party agreement, ``contract.care_agreement_parties``)
  is renewed or ended by its township before its term ends: due the term's last day (the term is the agreement's
  own; the seed sets no length for it). Done when a signed agreement for the same person follows on (starts by
  the day after the term ends) or the agreement is ended (care_agreements.end).

A terminated or expired agreement owes none of them any more (waived by the sweep with the reason). A signing
date whose count runs into a year the calendar does not cover gives no due date: no obligation is made until
the calendar covers it, and the agreement's page says so (contracts.deadlines).

Set-based like every kind: the policy's periods are read once per division whose policy sets the rule, the
calendar once, and the distinct signing dates still open once; each row then takes its due date from one SQL
``CASE`` on (division prefix, signing date).
"""

from __future__ import annotations

import datetime as dt
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
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr

from core.scoping import Action
from policies.models import PolicyRule
from policies.policy import effective_policy
from stations.models import Station
from workdays.counting import due_date as count_due_date
from workdays.selectors import work_calendar

from .deadlines import DEPLOYMENT_RULE, FILING_RULE
from .models import CareAgreement, Contract, TaskBookConfirmation
from .taskbook import PARTIES, _party_of
from .taskbook import RULE as CONFIRM_RULE

S = Contract.Status
ENDED = Q(status__in=[S.TERMINATED, S.EXPIRED])
SIGNED_STATES = [S.SIGNED, S.FILED, S.ACTIVE]
TASK_BOOK_STATES = [S.DRAFT, S.SIGNED, S.FILED, S.ACTIVE]
NOT_DEPLOYED = [s for s in Station.Status.values if s not in (Station.Status.OPERATING, Station.Status.SUSPENDED)]


def _source_codes(actor: Any, key: str) -> list[str]:
    """Divisions whose policy sets ``key``, deepest first (a handful)."""
    codes = set(
        PolicyRule.objects.for_user(actor, Action.VIEW).filter(key=key).values_list("policy__division_id", flat=True)
    )
    return sorted(codes, key=lambda c: (-len(c), c))


def _org_at(kind: str, length: int) -> Subquery:
    """The organisation of ``kind`` at the first ``length`` digits of the contract's division (city, province)."""
    from accounts.models import Organisation

    return Subquery(
        Organisation.objects.filter(kind=kind, division_id=Substr(OuterRef("division_id"), 1, length))
        .order_by("pk")
        .values("pk")[:1]
    )


def period_rows(rule_key: str, label: str, done: Q, owner: Any, notify_length: int) -> Any:
    """Rows of a deadline counted from signing by the policy's period (``rule_key``, a duration)."""

    def rows(actor: Any, today: dt.date) -> QuerySet[Contract]:
        from obligations.registry import url_expression

        base = (
            Contract.objects.for_user(actor, Action.VIEW)
            .filter(status__in=SIGNED_STATES, signed_date__isnull=False)
            .exclude(done)
        )
        periods: list[tuple[str, dict[str, Any], str]] = []
        for code in _source_codes(actor, rule_key):
            policy = effective_policy(code)
            rule = policy.rules.get(rule_key)
            value = policy.get(rule_key)
            if isinstance(value, dict) and value.get("amount") and value.get("unit"):
                periods.append((code, value, rule.clause if rule is not None else ""))
        due_whens: list[When] = []
        clause_whens: list[When] = []
        if periods:
            calendar = work_calendar()
            dates = sorted(set(base.values_list("signed_date", flat=True)))
            for code, value, clause in periods:
                prefix = Q(division__pk__startswith=code)
                clause_whens.append(When(prefix, then=Value(clause)))
                for day in dates:
                    due = count_due_date(day, int(value["amount"]), value["unit"], calendar=calendar).due
                    if due is not None:
                        due_whens.append(When(prefix & Q(signed_date=day), then=Value(due)))
        due_expr = (
            Case(*due_whens, default=Value(None), output_field=DateField())
            if due_whens
            else Value(None, output_field=DateField())
        )
        clause_expr = (
            Case(*clause_whens, default=Value(""), output_field=CharField())
            if clause_whens
            else Value("", output_field=CharField())
        )
        return base.annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=_title(label),
            ob_owner_id=owner,
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, notify_length),
            ob_due_date=due_expr,
            ob_rule_key=Value(rule_key, output_field=CharField()),
            ob_clause=clause_expr,
            ob_link=url_expression("contract-detail"),
        ).filter(ob_due_date__isnull=False)

    return rows


def _title(label: str) -> Any:
    from django.db.models.functions import Concat

    return Concat(Value("协议"), "number", Value(f"：{label}"), output_field=CharField())


def _confirmed(party: str) -> Q:
    return Q(
        Exists(TaskBookConfirmation.objects.filter(task_book__contract=OuterRef("pk"), party=party)),
    )


def confirmation_rows(party: str) -> Any:
    label = f"{PARTIES[party][0]}确认项目任务书"

    def rows(actor: Any, today: dt.date) -> QuerySet[Contract]:
        from accounts.models import Organisation
        from obligations.registry import url_expression

        # Which parties confirm, by the deepest policy above the agreement that names them; where none does,
        # the agreement's township and county bureau (contracts.taskbook.required_confirmers).
        whens: list[When] = []
        clause_whens: list[When] = []
        for code in _source_codes(actor, CONFIRM_RULE):
            policy = effective_policy(code)
            value = policy.get(CONFIRM_RULE)
            rule = policy.rules.get(CONFIRM_RULE)
            if isinstance(value, list) and value:
                parties = {_party_of(str(v)) for v in value}
                whens.append(When(division__pk__startswith=code, then=Value(party in parties)))
                clause_whens.append(When(division__pk__startswith=code, then=Value(rule.clause if rule else "")))
        default_needed = party in ("township", "county")
        needed = (
            Case(*whens, default=Value(default_needed), output_field=BooleanField())
            if whens
            else Value(default_needed, output_field=BooleanField())
        )
        clause = (
            Case(*clause_whens, default=Value(""), output_field=CharField())
            if clause_whens
            else Value("", output_field=CharField())
        )
        owner: Any
        if party == "township":
            owner = F("township_id")
        elif party == "county":
            owner = F("buyer_id")
        elif party == "city":
            owner = _org_at(Organisation.Kind.BUREAU, 4)
        else:
            owner = _org_at(Organisation.Kind.BUREAU, 2)
        return (
            Contract.objects.for_user(actor, Action.VIEW)
            .filter(status__in=TASK_BOOK_STATES, task_book__isnull=False)
            .exclude(_confirmed(party))
            .annotate(ob_needed=needed)
            .filter(ob_needed=True)
            .annotate(
                ob_object_id=F("pk"),
                ob_period=Value("", output_field=CharField()),
                ob_title=_title(label),
                ob_owner_id=owner,
                ob_division_id=F("division_id"),
                ob_notify_division_id=Substr("division_id", 1, 6),
                ob_due_date=F("start_date"),
                ob_rule_key=Value(CONFIRM_RULE, output_field=CharField()),
                ob_clause=clause,
                ob_link=url_expression("contract-detail"),
            )
        )

    return rows


RENEWAL_RULE = "contract.renewal_evaluation"
RENEWAL_STATES = [S.SIGNED, S.FILED, S.ACTIVE, S.EXPIRED]
DECIDED = Q(renewal__isnull=False)


def _policy_cases(actor: Any, key: str, field: str) -> tuple[Any, Any]:
    """(does the rule apply, its clause) as SQL CASEs on ``field`` (a division code), one policy read per division
    whose policy sets ``key``, deepest first (a division that declares the rule 不适用 overrides the one above)."""
    applies: list[When] = []
    clauses: list[When] = []
    for code in _source_codes(actor, key):
        policy = effective_policy(code)
        rule = policy.rules.get(key)
        required = bool(policy.get(key))
        applies.append(When(**{f"{field}__startswith": code}, then=Value(required)))
        text = (rule.citation_text or rule.clause) if rule is not None and required else ""
        clauses.append(When(**{f"{field}__startswith": code}, then=Value(text)))
    needed = (
        Case(*applies, default=Value(False), output_field=BooleanField())
        if applies
        else Value(False, output_field=BooleanField())
    )
    clause = (
        Case(*clauses, default=Value(""), output_field=CharField()) if clauses else Value("", output_field=CharField())
    )
    return needed, clause


def renewal_rows(actor: Any, today: dt.date) -> QuerySet[Contract]:
    """Yearly terms whose cycle runs past them and whose renewal is not decided yet, where the policy ties renewal
    to the evaluation: the buying bureau owes the decision by the term's last day."""
    from django.urls import reverse

    needed, clause = _policy_cases(actor, RENEWAL_RULE, "division__pk")
    return (
        Contract.objects.for_user(actor, Action.VIEW)
        .filter(status__in=RENEWAL_STATES, cycle_end__gt=F("end_date"))
        .exclude(DECIDED)
        .annotate(ob_needed=needed)
        .filter(ob_needed=True)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=_title("本年度期满前作出续签决定"),
            ob_owner_id=F("buyer_id"),
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=F("end_date"),
            ob_rule_key=Value(RENEWAL_RULE, output_field=CharField()),
            ob_clause=clause,
            ob_link=Value(reverse("renewal-list"), output_field=CharField()),
        )
    )


CARE_RULE = "contract.care_agreement_parties"


def care_followed_on() -> Q:
    """A signed (or later ended) agreement for the same person and township starts by the day after this one's term
    ends and runs past it: the care was renewed."""
    from django.db.models import DurationField, ExpressionWrapper

    next_day = ExpressionWrapper(
        OuterRef("end_date") + Value(dt.timedelta(days=1), output_field=DurationField()), output_field=DateField()
    )
    return Q(
        Exists(
            CareAgreement.objects.filter(
                beneficiary_id=OuterRef("beneficiary_id"),
                township_id=OuterRef("township_id"),
                status__in=[CareAgreement.Status.SIGNED, CareAgreement.Status.ENDED],
                start_date__gt=OuterRef("start_date"),
                start_date__lte=next_day,
                end_date__gt=OuterRef("end_date"),
            ).exclude(pk=OuterRef("pk"))
        )
    )


def care_term_rows(actor: Any, today: dt.date) -> QuerySet[CareAgreement]:
    """Signed care agreements whose village's effective policy requires the four-party agreement, not yet followed
    on: owed by the township, due the term's last day, the county bureau told. One policy read per division whose
    policy sets the rule (deepest first, so a county that declares it 不适用 overrides the one above)."""
    from django.db.models.functions import Concat

    from obligations.registry import url_expression

    needed, clause = _policy_cases(actor, CARE_RULE, "village__pk")

    return (
        CareAgreement.objects.for_user(actor, Action.VIEW)
        .filter(status=CareAgreement.Status.SIGNED)
        .exclude(care_followed_on())
        .annotate(ob_needed=needed)
        .filter(ob_needed=True)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=Concat(Value("四方服务协议"), "number", Value("：期满前续签或终止"), output_field=CharField()),
            ob_owner_id=F("township_id"),
            ob_division_id=F("village_id"),
            ob_notify_division_id=Substr("village_id", 1, 6),
            ob_due_date=F("end_date"),
            ob_rule_key=Value(CARE_RULE, output_field=CharField()),
            ob_clause=clause,
            ob_link=url_expression("care-agreement-detail"),
        )
    )


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    register(
        ObligationKind(
            key="contract.filing",
            label="协议报备",
            model=Contract,
            rows=period_rows(FILING_RULE, "协议报备", Q(filed_date__isnull=False), F("buyer_id"), 4),
            done=Q(filed_date__isnull=False),
            void=ENDED,
            void_reason="协议已终止或到期，不再需要报备。",
            description="在协议页面登记报备日期和报备机关即视为完成。",
        )
    )
    deployed = ~Q(Exists(Station.objects.filter(contracts=OuterRef("pk"), status__in=NOT_DEPLOYED)))
    register(
        ObligationKind(
            key="contract.deployment",
            label="驻站社工到岗",
            model=Contract,
            rows=period_rows(DEPLOYMENT_RULE, "驻站社工到岗", deployed, F("agency_id"), 6),
            done=deployed,
            void=ENDED,
            void_reason="协议已终止或到期，不再需要安排驻站社工。",
            description="协议覆盖的站点均为“运营中”即视为驻站社工已到岗。",
        )
    )
    for party in PARTIES:
        register(
            ObligationKind(
                key=f"contract.task_book.{party}",
                label=f"{PARTIES[party][0]}确认项目任务书",
                model=Contract,
                rows=confirmation_rows(party),
                done=_confirmed(party),
                void=ENDED,
                void_reason="协议已终止或到期，不再需要确认任务书。",
                description="在协议页面的“项目任务书”处确认即视为完成。",
            )
        )
    register(
        ObligationKind(
            key="contract.renewal",
            label="续签决定",
            model=Contract,
            rows=renewal_rows,
            done=DECIDED,
            void=Q(status=S.TERMINATED),
            void_reason="协议已终止，不再需要作出续签决定。",
            description="在“续签决定”页面按评估结果续签下一年度协议或决定不予续签（重新采购）即视为完成。",
        )
    )
    register(
        ObligationKind(
            key="contract.care_agreement.term",
            label="四方服务协议到期续签或终止",
            model=CareAgreement,
            rows=care_term_rows,
            done=Q(status=CareAgreement.Status.ENDED) | care_followed_on(),
            description="期满前签订接续的四方服务协议（同一服务对象，自期满次日起），或在协议页面终止协议，即视为完成。",
        )
    )
