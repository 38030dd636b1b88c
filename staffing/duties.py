"""Employment duties owed by the employer agency, as obligation kinds raised by the daily sweep (DOMAIN §4):

- 登记当月工资和社保 ``staffing.monthly_pay`` (period ``2026-11``): the pay of the last month already over, with the
  insurances the policy asks (``staff.social_insurance``: 五险 / 五险一金), recorded by the policy's deadline
  (``staff.pay_deadline``, counted from the month's last day by the calendar rules). Owed for every worker employed
  on some day of that month where the policy asks monthly pay or insurance. Done when that month's pay record has
  the insurances the policy asks; each month is settled on its own.
- 工资达到当地平均工资倍数 ``staffing.pay_target`` (period ``2026``): the worker's mean monthly pay of the year
  (of the months recorded), times twelve, below the policy's multiple (``staff.pay_multiplier``) of the county's
  previous-year average wage. Raised only where the policy sets a multiple and the county bureau has entered that
  wage; due the year's last day; done when the recorded pay reaches the multiple.
- 培训督导时长 ``staffing.training`` (period ``2026``): the hours of training and supervision of the year below
  any of the policy's minimums (``training.*``, per kind and organising level); due the year's last day, so it is
  overdue if the year ends short; done when the hours recorded reach every minimum.

Set-based like every kind: the policy is read once per division whose policy sets the rule (a handful), the
calendar once; each worker then takes its county's value from one SQL ``CASE`` on the division prefix (deepest
policy first), and its sums from correlated subqueries. The query count does not grow with workers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr

from core.scoping import Action

from .models import AverageWage, PayRecord, SocialWorker, TrainingRecord

MONTHLY_PAY_KIND = "staffing.monthly_pay"
PAY_TARGET_KIND = "staffing.pay_target"
TRAINING_KIND = "staffing.training"
PLAN_KIND = "staffing.recruitment_plan"

PAY_DEADLINE = "staff.pay_deadline"
PAY_RULES = ("staff.monthly_pay", "staff.social_insurance")
MULTIPLIER = "staff.pay_multiplier"
FUND = "five_insurances_housing_fund"

# The training rules: (kind of record, organising level or None for any).
TRAINING_RULES: dict[str, tuple[str, str | None]] = {
    "training.hours_city": (TrainingRecord.Kind.TRAINING, TrainingRecord.Level.CITY),
    "training.hours_county": (TrainingRecord.Kind.TRAINING, TrainingRecord.Level.COUNTY),
    "training.supervision_hours_city": (TrainingRecord.Kind.SUPERVISION, TrainingRecord.Level.CITY),
    "training.supervision_hours_county": (TrainingRecord.Kind.SUPERVISION, TrainingRecord.Level.COUNTY),
    "training.class_hours_min": (TrainingRecord.Kind.TRAINING, None),
}

MONEY = DecimalField(max_digits=16, decimal_places=4)


@dataclass(frozen=True)
class Source:
    """A division whose effective policy sets a rule: its value there and the clause it rests on."""

    code: str
    value: Any
    clause: str
    policy: Any


def sources(actor: Any, key: str) -> list[Source]:
    """Divisions whose own policy sets ``key``, deepest first, with the effective value there (a handful)."""
    from policies.models import PolicyRule
    from policies.policy import effective_policy

    codes = set(
        PolicyRule.objects.for_user(actor, Action.VIEW).filter(key=key).values_list("policy__division_id", flat=True)
    )
    out = []
    for code in sorted(codes, key=lambda c: (-len(c), c)):
        policy = effective_policy(code)
        rule = policy.rules.get(key)
        value = policy.get(key)
        if rule is not None and value not in (None, "", False, [], {}):
            out.append(Source(code, value, (rule.citation_text or rule.clause)[:120], policy))
    return out


def by_division(
    pairs: list[tuple[str, Any]], output: Any, default: Any = None, path: str = "division__pk__startswith"
) -> Any:
    """One CASE on the division prefix (deepest first): each row takes the value of its deepest source."""
    whens = [When(**{path: code}, then=Value(value, output_field=output)) for code, value in pairs]
    if not whens:
        return Cast(Value(default), output) if default is None else Value(default, output_field=output)
    return Case(*whens, default=Value(default, output_field=output), output_field=output)


def _worker_link() -> Any:
    from .obligations import _worker_link as link

    return link()


def _rows(qs: QuerySet[Any], *, period: str, title: Any, due: Any, rule_key: str, clause: Any) -> QuerySet[Any]:
    return qs.annotate(
        ob_object_id=F("pk"),
        ob_period=Value(period, output_field=CharField()),
        ob_title=title,
        ob_owner_id=F("agency_id"),
        ob_division_id=F("division_id"),
        ob_notify_division_id=Substr("division_id", 1, 6),
        ob_due_date=due,
        ob_rule_key=Value(rule_key, output_field=CharField()),
        ob_clause=clause,
        ob_link=_worker_link(),
    )


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


# --- monthly pay and insurance ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayRule:
    code: str
    deadline: dict[str, Any]
    insurance: bool
    fund: bool
    clause: str


def pay_rules(actor: Any) -> list[PayRule]:
    """Where the policy asks monthly pay or insurance and sets the deadline, deepest first."""
    out = []
    for s in sources(actor, PAY_DEADLINE):
        value = s.value
        if not (isinstance(value, dict) and value.get("amount") and value.get("unit")):
            continue
        if not any(s.policy.get(key) for key in PAY_RULES):
            continue
        insurance = s.policy.get("staff.social_insurance")
        clauses = [s.clause]
        for key in PAY_RULES:
            rule = s.policy.rules.get(key)
            cited = (rule.citation_text or rule.clause) if rule is not None and rule.applies else ""
            if cited and cited not in clauses:
                clauses.append(cited)
        out.append(PayRule(s.code, value, bool(insurance), insurance == FUND, "、".join(clauses)[:120]))
    return out


def _settled_pay(rules: list[PayRule]) -> QuerySet[PayRecord]:
    """Pay records carrying the insurances their worker's policy asks."""
    path = "worker__division__pk__startswith"
    need_insurance = by_division([(r.code, r.insurance) for r in rules], BooleanField(), False, path)
    need_fund = by_division([(r.code, r.fund) for r in rules], BooleanField(), False, path)
    return (
        PayRecord.objects.annotate(ob_need_insurance=need_insurance, ob_need_fund=need_fund)
        .filter(Q(insurance_paid=True) | Q(ob_need_insurance=False))
        .filter(Q(housing_fund_paid=True) | Q(ob_need_fund=False))
    )


def monthly_pay_rows(actor: Any, today: dt.date) -> QuerySet[SocialWorker]:
    from workdays.counting import add_months, due_date
    from workdays.selectors import work_calendar

    first, last = _last_month(today)
    rules = pay_rules(actor)
    calendar = work_calendar() if rules else None
    dues: list[tuple[str, Any]] = []
    for r in rules:
        amount, unit = int(r.deadline["amount"]), r.deadline["unit"]
        found = due_date(last, amount, unit, calendar=calendar).due  # type: ignore[arg-type]
        if found is None and unit in ("months", "years"):  # a year the calendar does not cover yet: arts. 201-202
            found = add_months(last, amount * (12 if unit == "years" else 1))
        elif found is None and unit == "calendar_days":
            found = last + dt.timedelta(days=amount)
        if found is not None:  # working days in a year the calendar does not cover: owed once it does
            dues.append((r.code, found))
    due = by_division(dues, DateField())
    clause = by_division([(r.code, r.clause) for r in rules], CharField(), "")
    words = [(r.code, "工资和五险一金" if r.fund else "工资和五险" if r.insurance else "工资") for r in rules]
    what = by_division(words, CharField(), "工资")
    qs = (
        SocialWorker.objects.for_user(actor, Action.VIEW)
        .filter(hired_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .exclude(Exists(_settled_pay(rules).filter(worker=OuterRef("pk"), month=first)))
        .annotate(ob_due=due)
        .filter(ob_due__isnull=False)
    )
    title = Concat("name", Value(f"：登记{first.year}年{first.month}月"), what, output_field=CharField())
    return _rows(qs, period=f"{first:%Y-%m}", title=title, due=F("ob_due"), rule_key=PAY_DEADLINE, clause=clause)


def _pay_done_in_period() -> Exists:
    """On an obligation row: its worker has that month's pay with the insurances the policy asks."""
    from core.system import system_actor

    month = Func(F("month"), Value("YYYY-MM"), function="to_char", output_field=CharField())
    return Exists(
        _settled_pay(pay_rules(system_actor()))
        .annotate(ob_month=month)
        .filter(worker_id=OuterRef("object_id"), ob_month=OuterRef("period"))
    )


# --- pay against the multiple of the county's average wage --------------------------------------------------------


def _below_target(qs: QuerySet[SocialWorker], targets: list[Source]) -> QuerySet[SocialWorker]:
    """Workers (annotated with ``ob_year``) whose mean monthly pay of that year times twelve is below the multiple of
    the county's average wage of the year before. Nobody where no policy sets a multiple or no wage is entered."""
    mean = (
        PayRecord.objects.filter(worker=OuterRef("pk"), month__year=OuterRef("ob_year"))
        .order_by()
        .values("worker")
        .annotate(mean=Avg("gross_pay"))
        .values("mean")[:1]
    )
    base = AverageWage.objects.filter(
        division_id=Substr(OuterRef("division_id"), 1, 6), year=OuterRef("ob_year") - 1
    ).values("amount")[:1]
    multiple = by_division([(s.code, Decimal(str(s.value))) for s in targets], MONEY)
    return (
        qs.annotate(ob_mean=Subquery(mean, output_field=MONEY), ob_base=Subquery(base), ob_multiple=multiple)
        .filter(ob_mean__isnull=False, ob_base__isnull=False, ob_multiple__isnull=False)
        .filter(ob_mean__lt=ExpressionWrapper(F("ob_multiple") * F("ob_base") / Value(12), output_field=MONEY))
    )


def pay_target_rows(actor: Any, today: dt.date) -> QuerySet[SocialWorker]:
    year = _last_month(today)[0].year
    targets = sources(actor, MULTIPLIER)
    workers = SocialWorker.objects.for_user(actor, Action.VIEW).filter(status=SocialWorker.Status.EMPLOYED)
    title = Concat(
        "name",
        Value(f"：{year}年月均工资低于上年度当地社会平均工资的"),
        by_division([(s.code, f"{Decimal(str(s.value)).normalize():f}") for s in targets], CharField(), ""),
        Value("倍"),
        output_field=CharField(),
    )
    workers = workers.annotate(ob_year=Value(year, output_field=IntegerField()))
    return _rows(
        _below_target(workers, targets),
        period=str(year),
        title=title,
        due=Value(dt.date(year, 12, 31), output_field=DateField()),
        rule_key=MULTIPLIER,
        clause=by_division([(s.code, s.clause) for s in targets], CharField(), ""),
    )


def _pay_target_done_in_period() -> Q:
    from core.system import system_actor

    workers = SocialWorker.objects.filter(pk=OuterRef("object_id")).annotate(
        ob_year=Cast(OuterRef("period"), IntegerField())
    )
    below = _below_target(workers, sources(system_actor(), MULTIPLIER))
    return ~Q(Exists(below))


# --- training and supervision hours -------------------------------------------------------------------------------


def training_minimums(actor: Any) -> dict[str, list[Source]]:
    return {key: found for key in TRAINING_RULES if (found := sources(actor, key))}


def _short_of_training(qs: QuerySet[SocialWorker], minimums: dict[str, list[Source]]) -> QuerySet[SocialWorker]:
    """Workers (annotated with ``ob_year``) whose hours of a kind in that year are below the minimum their county's
    policy sets for it. Nobody where no policy sets one."""
    short = Q(pk__in=[])
    annotations: dict[str, Any] = {}
    for n, (key, found) in enumerate(minimums.items()):
        kind, level = TRAINING_RULES[key]
        records = TrainingRecord.objects.filter(worker=OuterRef("pk"), kind=kind, date__year=OuterRef("ob_year"))
        if level is not None:
            records = records.filter(level=level)
        hours = records.order_by().values("worker").annotate(total=Sum("hours")).values("total")[:1]
        annotations[f"ob_hours_{n}"] = Coalesce(Subquery(hours), Value(Decimal(0)), output_field=MONEY)
        annotations[f"ob_min_{n}"] = by_division([(s.code, Decimal(str(s.value))) for s in found], MONEY)
        short |= Q(**{f"ob_min_{n}__isnull": False, f"ob_hours_{n}__lt": F(f"ob_min_{n}")})
    return qs.annotate(**annotations).filter(short)


def _training_clauses(minimums: dict[str, list[Source]]) -> list[tuple[str, str]]:
    """(division, the clauses of every minimum in force there), deepest first."""
    codes = sorted({s.code for found in minimums.values() for s in found}, key=lambda c: (-len(c), c))
    out = []
    for code in codes:
        seen: list[str] = []
        for found in minimums.values():
            match = next((s for s in found if code.startswith(s.code)), None)
            if match is not None and match.clause not in seen:
                seen.append(match.clause)
        out.append((code, "、".join(seen)[:120]))
    return out


def training_rows(actor: Any, today: dt.date) -> QuerySet[SocialWorker]:
    year = today.year
    minimums = training_minimums(actor)
    workers = (
        SocialWorker.objects.for_user(actor, Action.VIEW)
        .filter(status=SocialWorker.Status.EMPLOYED, hired_on__lte=today)
        .annotate(ob_year=Value(year, output_field=IntegerField()))
    )
    return _rows(
        _short_of_training(workers, minimums),
        period=str(year),
        title=Concat("name", Value(f"：{year}年专业培训和督导时长达到政策要求"), output_field=CharField()),
        due=Value(dt.date(year, 12, 31), output_field=DateField()),
        rule_key="training",
        clause=by_division(_training_clauses(minimums), CharField(), ""),
    )


def _training_done_in_period() -> Q:
    from core.system import system_actor

    workers = SocialWorker.objects.filter(pk=OuterRef("object_id")).annotate(
        ob_year=Cast(OuterRef("period"), IntegerField())
    )
    return ~Q(Exists(_short_of_training(workers, training_minimums(system_actor()))))


# --- the recruitment plan filed with the county bureau -------------------------------------------------------------

PLAN_RULE = "staff.recruitment_plan_filing"


def _plan_filed() -> Exists:
    """On an agreement: its agency has filed a recruitment plan with the county bureau of the agreement's county for
    a year within the agreement's term."""
    from django.db.models.functions import ExtractYear

    from .models import RecruitmentPlan

    return Exists(
        RecruitmentPlan.objects.filter(
            agency_id=OuterRef("agency_id"),
            division_id=Substr(OuterRef("division_id"), 1, 6),
            state__in=[RecruitmentPlan.State.FILED, RecruitmentPlan.State.ACKNOWLEDGED],
            year__gte=ExtractYear(OuterRef("start_date")),
            year__lte=ExtractYear(OuterRef("end_date")),
        )
    )


def recruitment_plan_rows(actor: Any, today: dt.date) -> QuerySet[Any]:
    """Agreements signed and not yet over, in a county whose policy asks the agency to file its recruitment plan
    ([000 §6(3)]), whose agency has filed none for the term: due the service's start (the plan comes before the
    recruiting it describes; the document gives no other date)."""
    from django.urls import reverse

    from contracts.models import Contract

    found = sources(actor, PLAN_RULE)
    where = Q(pk__in=[])
    for s in found:
        where |= Q(division__pk__startswith=s.code)
    S = Contract.Status
    return (
        Contract.objects.for_user(actor, Action.VIEW)
        .filter(where, status__in=[S.SIGNED, S.FILED, S.ACTIVE], end_date__gte=today)
        .exclude(_plan_filed())
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=Concat(
                Value("协议"), "number", Value("：驻站社工招聘方案报县民政局备案"), output_field=CharField()
            ),
            ob_owner_id=F("agency_id"),
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=F("start_date"),
            ob_rule_key=Value(PLAN_RULE, output_field=CharField()),
            ob_clause=by_division([(s.code, s.clause) for s in found], CharField(), ""),
            ob_link=Value(reverse("staffing:recruitment-list"), output_field=CharField()),
        )
    )


def register_duty_kinds() -> None:
    from obligations.registry import ObligationKind, register

    nothing = Q(pk__in=[])  # the rows leave out what is settled; each period is settled on its own
    register(
        ObligationKind(
            key=MONTHLY_PAY_KIND,
            label="登记当月工资和社保",
            model=SocialWorker,
            rows=monthly_pay_rows,
            done=nothing,
            done_in_period=_pay_done_in_period,
            description="在社工页面登记该月工资并勾选政策要求的社会保险（五险或五险一金）即视为完成。",
        )
    )
    register(
        ObligationKind(
            key=PAY_TARGET_KIND,
            label="工资达到当地平均工资倍数",
            model=SocialWorker,
            rows=pay_target_rows,
            done=nothing,
            done_in_period=_pay_target_done_in_period,
            void=Q(status=SocialWorker.Status.LEFT),
            void_reason="社工已离职。",
            description="该年度登记的月均工资乘以12达到上年度当地社会平均工资的政策倍数即视为完成。",
        )
    )
    register(
        ObligationKind(
            key=TRAINING_KIND,
            label="培训督导时长",
            model=SocialWorker,
            rows=training_rows,
            done=nothing,
            done_in_period=_training_done_in_period,
            void=Q(status=SocialWorker.Status.LEFT),
            void_reason="社工已离职。",
            description="在社工页面登记本年度的培训和督导，各项时长达到政策最低要求即视为完成。",
        )
    )
    from contracts.models import Contract

    register(
        ObligationKind(
            key=PLAN_KIND,
            label="招聘方案报备",
            model=Contract,
            rows=recruitment_plan_rows,
            done=Q(_plan_filed()),
            void=Q(status__in=[Contract.Status.TERMINATED, Contract.Status.EXPIRED]),
            void_reason="协议已终止或到期。",
            description="在“招聘方案”页面制定协议期内年度的驻站社工招聘方案并报县民政局备案即视为完成。",
        )
    )
