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
  overdue if the year ends short; done when the hours recorded reach every minimum. A worker hired (or leaving)
  during the year owes each minimum in proportion to the months employed: minimum × months / 12.
- 试用期不超过政策上限 ``staffing.probation``: the first labour contract, not yet ended, sets a probation longer than
  the policy's limit (``staff.probation_max_months``: Nantong 不超过六个月 [004 §3(7)], the limit included); due the
  contract's start; done when the contract is changed to the limit.
- 工资中提取绩效考核工资 ``staffing.performance_pay`` (period ``2026-05``): a month's recorded pay (of the last twelve
  months over) holds back less for performance than the policy asks (``staff.performance_pay_withheld``: 在工资中
  提取一定的比例进行考核发放 [004 §4(5)] — nothing held back fails; the bureau's least share
  ``staff.performance_pay_share_min``, when it sets one, the share included); due that month's pay deadline
  (else the month's last day); done when the month's record holds back enough.

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
    FilteredRelation,
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
from django.db.models.functions import Cast, Coalesce, Concat, ExtractMonth, ExtractYear, Substr

from core.scoping import Action

from .models import AverageWage, LabourContract, PayRecord, SocialWorker, TrainingRecord

MONTHLY_PAY_KIND = "staffing.monthly_pay"
PAY_TARGET_KIND = "staffing.pay_target"
TRAINING_KIND = "staffing.training"
PLAN_KIND = "staffing.recruitment_plan"

PROBATION_KIND = "staffing.probation"
PERFORMANCE_KIND = "staffing.performance_pay"

PAY_DEADLINE = "staff.pay_deadline"
PROBATION = "staff.probation_max_months"
HOLD_BACK = "staff.performance_pay_withheld"
HOLD_BACK_SHARE = "staff.performance_pay_share_min"
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
        # Zero is a value (a limit of 0 months, a share of 0); only "not set" and a bool rule set to False are not.
        if rule is not None and not (value is None or value is False or value in ("", [], {})):
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


def pay_due(last: dt.date, deadline: dict[str, Any], calendar: Any) -> dt.date | None:
    """The last day to pay and record the month ending on ``last`` (``staff.pay_deadline``, counted from the month's
    last day by the calendar rules); None for working days in a year the calendar does not cover yet."""
    from workdays.counting import add_months, due_date

    amount, unit = int(deadline["amount"]), deadline["unit"]
    found = due_date(last, amount, unit, calendar=calendar).due
    if found is None and unit in ("months", "years"):  # a year the calendar does not cover yet: arts. 201-202
        found = add_months(last, amount * (12 if unit == "years" else 1))
    elif found is None and unit == "calendar_days":
        found = last + dt.timedelta(days=amount)
    return found


def monthly_pay_rows(actor: Any, today: dt.date) -> QuerySet[SocialWorker]:
    from workdays.selectors import work_calendar

    first, last = _last_month(today)
    rules = pay_rules(actor)
    calendar = work_calendar() if rules else None
    dues: list[tuple[str, Any]] = []
    for r in rules:
        found = pay_due(last, r.deadline, calendar)
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


def months_in_year() -> Any:
    """On workers annotated with ``ob_year``: the months of that year the worker is employed on some day of — from
    the hire month when hired that year (else January) to the leaving month when left that year (else December).
    The yearly minimums are owed in full for a whole year and in proportion to these months for a worker hired (or
    leaving) during the year: ``minimum × months / 12`` (staffing.employment.prorated explains it in words)."""
    start = Case(
        When(ob_hire_year=F("ob_year"), then=ExtractMonth("hired_on")), default=Value(1), output_field=IntegerField()
    )
    end = Case(
        When(ob_left_year=F("ob_year"), then=ExtractMonth("left_on")), default=Value(12), output_field=IntegerField()
    )
    return ExpressionWrapper(end - start + Value(1), output_field=IntegerField())


def _short_of_training(qs: QuerySet[SocialWorker], minimums: dict[str, list[Source]]) -> QuerySet[SocialWorker]:
    """Workers (annotated with ``ob_year``) whose hours of a kind in that year are below the minimum their county's
    policy sets for it, pro-rated to the months of the year they are employed (``ob_months``): hours × 12 below
    minimum × months, compared exactly (no rounding). Nobody where no policy sets one."""
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
        annotations[f"ob_have_{n}"] = ExpressionWrapper(F(f"ob_hours_{n}") * Value(12), output_field=MONEY)
        annotations[f"ob_need_{n}"] = ExpressionWrapper(F(f"ob_min_{n}") * F("ob_months"), output_field=MONEY)
        short |= Q(**{f"ob_min_{n}__isnull": False, f"ob_have_{n}__lt": F(f"ob_need_{n}")})
    return (
        qs.annotate(ob_hire_year=ExtractYear("hired_on"), ob_left_year=ExtractYear("left_on"))
        .annotate(ob_months=months_in_year())
        .annotate(**annotations)
        .filter(short)
    )


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
    short = _short_of_training(workers, minimums)
    prorated = Case(
        When(
            ob_months__lt=12,
            then=Concat(
                Value("（年内在职"),
                Cast("ob_months", CharField()),
                Value("个月，每年最低时长按在职月数折算）"),
                output_field=CharField(),
            ),
        ),
        default=Value(""),
        output_field=CharField(),
    )
    return _rows(
        short,
        period=str(year),
        title=Concat("name", Value(f"：{year}年专业培训和督导时长达到政策要求"), prorated, output_field=CharField()),
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


# --- the probation limit of the first labour contract --------------------------------------------------------------


def _first_contract() -> QuerySet[LabourContract]:
    """On a worker: its first labour contract (the earliest start; the policy's limit is for 初次聘用合同)."""
    return LabourContract.objects.filter(worker=OuterRef("pk")).order_by("start_date", "pk")


def _over_probation(qs: QuerySet[SocialWorker], limits: list[Source]) -> QuerySet[SocialWorker]:
    """Workers whose first labour contract sets a probation longer than the limit their place's policy sets
    (``staff.probation_max_months``, the limit included: 不超过六个月 admits six). Nobody where no policy sets one."""
    first = _first_contract()
    return qs.annotate(
        ob_probation=Subquery(first.values("probation_months")[:1], output_field=IntegerField()),
        ob_contract_start=Subquery(first.values("start_date")[:1], output_field=DateField()),
        ob_contract_end=Subquery(first.values("end_date")[:1], output_field=DateField()),
        ob_limit=by_division([(s.code, int(s.value)) for s in limits], IntegerField()),
    ).filter(ob_limit__isnull=False, ob_probation__gt=F("ob_limit"))


def _first_contract_ended() -> Exists:
    """On a worker: its first labour contract has ended before today (the probation it set is history)."""
    from .obligations import _today

    earlier = LabourContract.objects.filter(worker=OuterRef("worker_id"), start_date__lt=OuterRef("start_date"))
    return Exists(LabourContract.objects.filter(worker=OuterRef("pk"), end_date__lt=_today()).exclude(Exists(earlier)))


def probation_rows(actor: Any, today: dt.date) -> QuerySet[SocialWorker]:
    """Employed workers whose first labour contract, not yet ended, sets a probation beyond the policy's limit:
    owed by the employer agency from the contract's start (the term is agreed at signing)."""
    limits = sources(actor, PROBATION)
    workers = SocialWorker.objects.for_user(actor, Action.VIEW).filter(status=SocialWorker.Status.EMPLOYED)
    title = Concat(
        "name",
        Value("：首份劳动合同约定试用期"),
        Cast("ob_probation", CharField()),
        Value("个月，超过政策规定的上限"),
        Cast("ob_limit", CharField()),
        Value("个月"),
        output_field=CharField(),
    )
    over = _over_probation(workers, limits).filter(Q(ob_contract_end__isnull=True) | Q(ob_contract_end__gte=today))
    return _rows(
        over,
        period="",
        title=title,
        due=F("ob_contract_start"),
        rule_key=PROBATION,
        clause=by_division([(s.code, s.clause) for s in limits], CharField(), ""),
    )


def _probation_done() -> Q:
    from core.system import system_actor

    workers = SocialWorker.objects.filter(pk=OuterRef("object_id"))
    return ~Q(Exists(_over_probation(workers, sources(system_actor(), PROBATION))))


# --- the share of pay held back for performance assessment ---------------------------------------------------------


@dataclass(frozen=True)
class HoldBack:
    """Where the policy asks part of the pay held back for performance assessment: the least share of the month's
    gross pay (the bureau's figure, ``staff.performance_pay_share_min``) or None when the policy says only "a
    share" (提取一定的比例: more than nothing); the pay deadline there, if the policy sets one."""

    code: str
    share: Decimal | None
    deadline: dict[str, Any] | None
    clause: str


def hold_back_rules(actor: Any) -> list[HoldBack]:
    """Deepest first. A place asks a hold-back where its effective policy requires one or sets its least share
    (a lower level that sets the duty to 否 asks none)."""
    found: dict[str, Source] = {}
    for s in [*sources(actor, HOLD_BACK_SHARE), *sources(actor, HOLD_BACK)]:
        found.setdefault(s.code, s)
    out = []
    for code in sorted(found, key=lambda c: (-len(c), c)):
        policy = found[code].policy
        if policy.get(HOLD_BACK) is False:
            continue
        share = policy.get(HOLD_BACK_SHARE)
        clauses = []
        for key in (HOLD_BACK, HOLD_BACK_SHARE):
            rule = policy.rules.get(key)
            cited = (rule.citation_text or rule.clause) if rule is not None and rule.applies else ""
            if cited and cited not in clauses:
                clauses.append(cited)
        deadline = policy.get(PAY_DEADLINE)
        ok = isinstance(deadline, dict) and deadline.get("amount") and deadline.get("unit")
        out.append(
            HoldBack(
                code,
                None if share in (None, "") else Decimal(str(share)),
                deadline if ok else None,
                "、".join(clauses)[:120],
            )
        )
    return out


def _hold_back_asked(rules: list[HoldBack], path: str) -> dict[str, Any]:
    """``ob_asked`` (the place's policy asks a hold-back) and ``ob_least`` (its least share, NULL for "some"), from
    the division at ``path``, deepest policy first."""
    return {
        "ob_asked": by_division([(r.code, True) for r in rules], BooleanField(), False, path),
        # Cast: where every place's share is NULL the CASE would otherwise be typed text by PostgreSQL.
        "ob_least": Cast(by_division([(r.code, r.share) for r in rules], MONEY, None, path), MONEY),
    }


def _held_back_too_little(prefix: str = "") -> Q:
    """On pay rows (``prefix`` leads to the pay record) annotated by ``_hold_back_asked``: the share held back for
    performance is below what the policy asks — under the bureau's least share (the share included: 10% of 5,000
    yuan is 500 yuan, enough), or nothing at all where the policy sets no figure. A month without pay asks none."""
    withheld, gross = f"{prefix}performance_withheld", f"{prefix}gross_pay"
    below = Q(ob_least__isnull=True, **{f"{withheld}__lte": 0}) | Q(
        ob_least__isnull=False, **{f"{withheld}__lt": ExpressionWrapper(F(gross) * F("ob_least"), output_field=MONEY)}
    )
    return below & Q(ob_asked=True, **{f"{gross}__gt": 0})


def _pay_months(today: dt.date) -> list[dt.date]:
    """The twelve months already over, the last one first: the pay records the duty looks at."""
    out, month = [], _last_month(today)[0]
    for _ in range(12):
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


def performance_pay_rows(actor: Any, today: dt.date) -> QuerySet[SocialWorker]:
    """One row per worker and month (period ``2026-05``) of the last twelve months already over whose recorded pay
    holds back less for performance than the policy asks; due that month's pay deadline where the policy sets one,
    else the month's last day."""
    from workdays.selectors import work_calendar

    rules = hold_back_rules(actor)
    months = _pay_months(today)
    calendar = work_calendar() if any(r.deadline for r in rules) else None
    whens = []
    for r in rules:
        for month in months:
            last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            due = pay_due(last, r.deadline, calendar) if r.deadline else last
            whens.append(When(division__pk__startswith=r.code, rec__month=month, then=Value(due)))
    due_date = Cast(Case(*whens, default=Value(None), output_field=DateField()), DateField())
    month_words = Func(F("rec__month"), Value('YYYY"年"FMMM"月"'), function="to_char", output_field=CharField())
    share = Func(
        ExpressionWrapper(F("rec__performance_withheld") * Value(100) / F("rec__gross_pay"), output_field=MONEY),
        Value(2),
        function="TRUNC",
        output_field=MONEY,
    )
    least_words = by_division(
        [(r.code, f"{(r.share * 100).normalize():f}%" if r.share is not None else "") for r in rules], CharField(), ""
    )
    what = Case(
        When(
            ob_least__isnull=True,
            then=Value("工资中未提取绩效考核工资（政策要求在工资中提取一定的比例考核发放）"),
        ),
        default=Concat(
            Value("提取的绩效考核工资占应发工资的"),
            Func(share, Value("FM999990.00"), function="to_char", output_field=CharField()),
            Value("%，低于政策规定的"),
            least_words,
            output_field=CharField(),
        ),
        output_field=CharField(),
    )
    qs = (
        SocialWorker.objects.for_user(actor, Action.VIEW)
        .filter(status=SocialWorker.Status.EMPLOYED)
        .annotate(rec=FilteredRelation("pay_records", condition=Q(pay_records__month__in=months)))
        .annotate(**_hold_back_asked(rules, "division__pk__startswith"))
        .filter(_held_back_too_little("rec__"))
        .annotate(ob_due=due_date)
        .filter(ob_due__isnull=False)
    )
    return qs.annotate(
        ob_object_id=F("pk"),
        ob_period=Func(F("rec__month"), Value("YYYY-MM"), function="to_char", output_field=CharField()),
        ob_title=Concat("name", Value("："), month_words, what, output_field=CharField()),
        ob_owner_id=F("agency_id"),
        ob_division_id=F("division_id"),
        ob_notify_division_id=Substr("division_id", 1, 6),
        ob_due_date=F("ob_due"),
        ob_rule_key=Value(HOLD_BACK, output_field=CharField()),
        ob_clause=by_division([(r.code, r.clause) for r in rules], CharField(), ""),
        ob_link=_worker_link(),
    )


def _performance_pay_done_in_period() -> Q:
    """On an obligation row: that month's recorded pay of its worker no longer holds back too little (corrected, or
    no longer recorded)."""
    from core.system import system_actor

    month = Func(F("month"), Value("YYYY-MM"), function="to_char", output_field=CharField())
    below = (
        PayRecord.objects.filter(worker_id=OuterRef("object_id"))
        .annotate(
            ob_month=month, **_hold_back_asked(hold_back_rules(system_actor()), "worker__division__pk__startswith")
        )
        .filter(_held_back_too_little(), ob_month=OuterRef("period"))
    )
    return ~Q(Exists(below))


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
    register(
        ObligationKind(
            key=PROBATION_KIND,
            label="试用期不超过政策上限",
            model=SocialWorker,
            rows=probation_rows,
            done=nothing,
            done_in_period=_probation_done,
            void=Q(status=SocialWorker.Status.LEFT) | Q(_first_contract_ended()),
            void_reason="社工已离职或首份劳动合同已期满。",
            description="与社工协商变更劳动合同、将试用期缩短到政策上限以内，并在社工页面更正劳动合同的试用期即视为完成。",
        )
    )
    register(
        ObligationKind(
            key=PERFORMANCE_KIND,
            label="工资中提取绩效考核工资",
            model=SocialWorker,
            rows=performance_pay_rows,
            done=nothing,
            done_in_period=_performance_pay_done_in_period,
            void=Q(status=SocialWorker.Status.LEFT),
            void_reason="社工已离职。",
            description="按政策从该月工资中提取绩效考核工资，并在社工页面更正该月的“提取的绩效考核工资”即视为完成。",
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
