"""The nightly check of every budget (DOMAIN §7), run by the daily sweep as the system actor, and the alerts it
raises as obligations of the agency (the county bureau is told):

``funding.over``          a line's spending (recorded and approved) above the line;
``funding.near``          a line's spending at or above the bureau's alert share (``funding.alert_near_share``; no
                          alert where the bureau has not set one — the documents are silent);
``funding.labour_share``  the labour share below the policy's minimum where that rule applies (Baisha's 70%
                          applies only once the base standard is raised [002 §4]);
``funding.relief_cap``    a county's approved budgets using more relief money than the cap (a base lowered or a
                          policy changed after approval), owed by the county bureau;
``funding.care_surplus``  a care subsidy with money left once the year's last tranche is paid, where the policy
                          says none may remain (``funding.no_surplus``: Nantong [004 §3(1)]).

Set-based: each kind first refreshes its flag (``refresh_*``) with a fixed number of statements per distinct
policy value (never one per budget); the kinds read the flags, and the sweep makes each obligation once (a re-run
raises nothing twice) and closes it when its flag clears.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr

from core.scoping import Action

from .models import Budget, BudgetLine, Disbursement, Expenditure, LineKind, Source

ZERO = Value(Decimal("0.00"), output_field=DecimalField())
LIVE = [Expenditure.Status.RECORDED, Expenditure.Status.APPROVED]


def _spent(line_ref: str = "pk") -> Coalesce:
    """The recorded and approved spending of a line (OuterRef ``line_ref``), zero when none."""
    return Coalesce(
        Subquery(
            Expenditure.objects.filter(line_id=OuterRef(line_ref), status__in=LIVE)
            .values("line_id")
            .annotate(s=Sum("amount"))
            .values("s")[:1]
        ),
        ZERO,
        output_field=DecimalField(),
    )


def _lines_at(share: Decimal) -> Exists:
    """Some line of the budget (OuterRef pk) whose spending reaches ``share`` of it."""
    return Exists(
        BudgetLine.objects.filter(budget_id=OuterRef("pk"), amount__gt=0)
        .annotate(spent=_spent())
        .filter(spent__gte=ExpressionWrapper(F("amount") * share, output_field=DecimalField()))
    )


def _over() -> Exists:
    return Exists(
        BudgetLine.objects.filter(budget_id=OuterRef("pk")).annotate(spent=_spent()).filter(spent__gt=F("amount"))
    )


def _in_counties(counties: list[str], path: str = "station__division__pk") -> Q:
    q = Q(pk__in=[])
    for county in counties:
        q |= Q(**{f"{path}__startswith": county})
    return q


def _approved(actor: Any) -> QuerySet[Budget]:
    return Budget.objects.for_user(actor, Action.VIEW).filter(status=Budget.Status.APPROVED)  # type: ignore[attr-defined,no-any-return]


def _counties_with(actor: Any, read: Any) -> dict[Decimal, list[str]]:
    """{policy value: counties} for the counties of the actor's approved budgets where ``read(policy)`` gives a
    value (the counties' policies in one query; the statements that follow are one per distinct value)."""
    from staffing.selectors import effective_policies

    counties = _approved(actor).annotate(c=Substr("station__division_id", 1, 6)).values_list("c", flat=True).distinct()
    groups: dict[Decimal, list[str]] = defaultdict(list)
    for county, policy in sorted(effective_policies(sorted(set(counties))).items()):  # one query for them all
        value = read(policy)
        if value is not None:
            groups[value].append(county)
    return groups


def refresh_over(actor: Any, today: dt.date) -> None:
    _approved(actor).update(over_limit=_over(), checked_on=today)


def refresh_near(actor: Any, today: dt.date) -> None:
    def share(policy: Any) -> Decimal | None:
        value = policy.get("funding.alert_near_share")
        return None if value is None else Decimal(str(value))

    refresh_over(actor, today)  # "near" is settled by going over: its done condition reads the fresh over flag
    ids = _approved(actor).values("pk")
    Budget.objects.filter(pk__in=ids).update(near_limit=False)
    for value, group in _counties_with(actor, share).items():
        Budget.objects.filter(Q(pk__in=ids) & _in_counties(group)).update(near_limit=_lines_at(value))


def refresh_labour(actor: Any, today: dt.date) -> None:
    from .budgets import standard_raised

    def minimum(policy: Any) -> Decimal | None:
        value = policy.get("funding.labour_min_share")
        rule = policy.rules.get("funding.labour_min_share")
        if not value or rule is None or (rule.condition_code and not standard_raised(policy)):
            return None  # not set, or its condition does not hold (Baisha at today's standard)
        return Decimal(str(value["percent"])) / 100

    ids = _approved(actor).values("pk")
    Budget.objects.filter(pk__in=ids).update(labour_short=False)

    def summed(**where: Any) -> Any:
        return Coalesce(
            Subquery(
                BudgetLine.objects.filter(budget_id=OuterRef("pk"), **where)
                .values("budget_id")
                .annotate(s=Sum("amount"))
                .values("s")[:1]
            ),
            ZERO,
            output_field=DecimalField(),
        )

    for share, group in _counties_with(actor, minimum).items():
        short = (
            Budget.objects.filter(Q(pk__in=ids) & _in_counties(group))
            .annotate(t=summed(), lab=summed(kind=LineKind.LABOUR))
            .filter(t__gt=0, lab__lt=ExpressionWrapper(F("t") * share, output_field=DecimalField()))
        )
        Budget.objects.filter(pk__in=short.values("pk")).update(labour_short=True)


def _refresh_surplus(actor: Any, today: dt.date) -> None:
    """The year's unspent care subsidy of each township where the policy says none may remain
    (``funding.no_surplus``), kept on its last paid tranche once the year's money is all paid — every tranche the
    policy sets per year (``funding.disbursements_per_year``), or, where it sets no number, once the year is over:
    paid subsidy minus the spending on care-subsidy lines of its stations' budgets."""
    from staffing.selectors import effective_policies

    paid = Disbursement.objects.for_user(actor, Action.VIEW).filter(  # type: ignore[attr-defined]
        kind=Disbursement.Kind.CARE_SUBSIDY, status=Disbursement.Status.PAID
    )
    Disbursement.objects.filter(kind=Disbursement.Kind.CARE_SUBSIDY, surplus__isnull=False).update(surplus=None)
    groups = list(paid.values("division_id", "year").annotate(n=Sum(Value(1)), total=Sum("amount")))
    counties = sorted({g["division_id"][:6] for g in groups})
    policies = effective_policies(counties)  # one query for them all

    def complete_year(g: dict[str, Any]) -> bool:
        policy = policies.get(g["division_id"][:6])
        if policy is None or not policy.get("funding.no_surplus"):
            return False  # the policy lets money remain (or says nothing): no year-end check
        per_year = policy.get("funding.disbursements_per_year")
        return g["n"] >= int(per_year) if per_year else today > dt.date(g["year"], 12, 31)

    complete = [g for g in groups if complete_year(g)]
    if not complete:
        return
    q = Q(pk__in=[])
    for g in complete:
        q |= Q(budget__station__division_id=g["division_id"], budget__year=g["year"])
    spent = {
        (row["budget__station__division_id"], row["budget__year"]): row["s"]
        for row in Expenditure.objects.filter(q, line__source=Source.CARE_SUBSIDY, status__in=LIVE)
        .values("budget__station__division_id", "budget__year")
        .annotate(s=Sum("amount"))
    }
    last = {
        (r["division_id"], r["year"]): r["pk"]
        for r in paid.filter(division_id__in=[g["division_id"] for g in complete])
        .order_by("division_id", "year", "-sequence")
        .distinct("division_id", "year")
        .values("division_id", "year", "pk")
    }
    rows = []
    for g in complete:
        key = (g["division_id"], g["year"])
        rows.append(Disbursement(pk=last[key], surplus=g["total"] - (spent.get(key) or Decimal(0))))
    Disbursement.objects.bulk_update(rows, ["surplus"], batch_size=500)


def refresh_relief(actor: Any) -> None:
    """Each county-year base with the relief money its approved budgets use, and whether that passes the cap
    (inclusive, rounded down to the fen, as at approval): three queries whatever the number of counties."""
    from staffing.selectors import effective_policies

    from .models import ReliefBase
    from .policy import relief_cap

    bases = list(ReliefBase.objects.for_user(actor, Action.VIEW))  # type: ignore[attr-defined]
    if not bases:
        return
    used = {
        (row["county"], row["budget__year"]): row["s"]
        for row in BudgetLine.objects.filter(source=Source.RELIEF, budget__status=Budget.Status.APPROVED)
        .annotate(county=Substr("budget__station__division_id", 1, 6))
        .values("county", "budget__year")
        .annotate(s=Sum("amount"))
    }
    policies = effective_policies(sorted({b.division_id for b in bases}))
    for base in bases:
        base.used = used.get((base.division_id, base.year)) or Decimal("0.00")
        base.cap = relief_cap(base.division_id, base.amount, policy=policies[base.division_id]).cap
        base.over_cap = base.cap is not None and base.used > base.cap
    ReliefBase.objects.bulk_update(bases, ["used", "cap", "over_cap"], batch_size=500)


def relief_rows(actor: Any, today: dt.date) -> QuerySet[Any]:
    from django.urls import reverse

    from accounts.models import Organisation

    from .models import ReliefBase

    refresh_relief(actor)
    bureau = Organisation.objects.filter(kind="bureau", division_id=OuterRef("division_id")).values("pk")[:1]
    over = ReliefBase.objects.for_user(actor, Action.VIEW).filter(over_cap=True)  # type: ignore[attr-defined]
    counties = sorted(set(over.values_list("division_id", flat=True)))
    return over.annotate(
        ob_object_id=F("pk"),
        ob_period=Cast("year", CharField()),
        ob_title=Concat(
            "division__name",
            Cast("year", CharField()),
            Value("年已批准预算使用困难群众救助资金 "),
            Cast("used", CharField()),
            Value(" 元，超过上限 "),
            Cast("cap", CharField()),
            Value(" 元"),
            output_field=CharField(),
        ),
        ob_owner_id=Subquery(bureau),
        ob_division_id=F("division_id"),
        ob_notify_division_id=F("division_id"),
        ob_due_date=Value(today, output_field=DateField()),
        ob_rule_key=Value("funding.relief_fund_cap", output_field=CharField()),
        ob_clause=_citation_by_county(actor, "funding.relief_fund_cap", "division__pk", counties),
        ob_link=Value(reverse("funding:relief-bases"), output_field=CharField()),
    )


def _agency() -> Subquery:
    from contracts.models import Contract

    return Subquery(
        Contract.objects.filter(stations=OuterRef("station_id"), status=Contract.Status.ACTIVE)
        .order_by("-start_date", "pk")
        .values("agency_id")[:1]
    )


def _budget_rows(actor: Any, today: dt.date, flag: str, title: str, rule: str, clause: Any) -> QuerySet[Budget]:
    from obligations.registry import url_expression

    {"over_limit": refresh_over, "near_limit": refresh_near, "labour_short": refresh_labour}[flag](actor, today)
    if callable(clause):  # built after the refresh: it reads the fresh flags
        clause = clause()
    extra = {"over_limit": False} if flag == "near_limit" else {}
    return (
        Budget.objects.for_user(actor, Action.VIEW)  # type: ignore[attr-defined]
        .filter(status=Budget.Status.APPROVED, **{flag: True}, **extra)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Cast("year", CharField()),
            ob_title=Concat("station__name", Cast("year", CharField()), Value(title), output_field=CharField()),
            ob_owner_id=_agency(),
            ob_division_id=F("station__division_id"),
            ob_notify_division_id=Substr("station__division_id", 1, 6),
            ob_due_date=Value(today, output_field=DateField()),
            ob_rule_key=Value(rule, output_field=CharField()),
            ob_clause=clause if not isinstance(clause, str) else Value(clause, output_field=CharField()),
            ob_link=url_expression("funding:budget-detail"),
        )
    )


def over_rows(actor: Any, today: dt.date) -> QuerySet[Budget]:
    return _budget_rows(actor, today, "over_limit", "年经费：有预算科目支出超出预算", "funding.budget", "")


def near_rows(actor: Any, today: dt.date) -> QuerySet[Budget]:
    return _budget_rows(
        actor, today, "near_limit", "年经费：有预算科目支出接近预算", "funding.alert_near_share", "民政部门确定"
    )


def _citation_by_county(actor: Any, key: str, path: str, counties: list[str]) -> Any:
    """The citation of rule ``key`` in each county's policy, as a SQL CASE on the row's county (one policy query)."""
    from django.db.models import Case, When

    from staffing.selectors import effective_policies

    whens = []
    for county, policy in effective_policies(counties).items():
        rule = policy.rules.get(key)
        if rule is not None and rule.is_set:
            whens.append(When(**{f"{path}__startswith": county}, then=Value(rule.citation_text[:120])))
    return Case(*whens, default=Value(""), output_field=CharField()) if whens else Value("", output_field=CharField())


def labour_rows(actor: Any, today: dt.date) -> QuerySet[Budget]:
    def clause() -> Any:
        short = _approved(actor).filter(labour_short=True).annotate(c=Substr("station__division_id", 1, 6))
        counties = sorted(set(short.values_list("c", flat=True)))
        return _citation_by_county(actor, "funding.labour_min_share", "station__division__pk", counties)

    return _budget_rows(
        actor, today, "labour_short", "年经费：人力成本占比低于规定下限", "funding.labour_min_share", clause
    )


def surplus_rows(actor: Any, today: dt.date) -> QuerySet[Disbursement]:
    from obligations.registry import url_expression

    _refresh_surplus(actor, today)
    counties = sorted(
        {
            c[:6]
            for c in Disbursement.objects.filter(kind=Disbursement.Kind.CARE_SUBSIDY, surplus__gt=0).values_list(
                "division_id", flat=True
            )
        }
    )
    year_end = Concat(Cast("year", CharField()), Value("-12-31"), output_field=CharField())
    return (
        Disbursement.objects.for_user(actor, Action.VIEW)  # type: ignore[attr-defined]
        .filter(kind=Disbursement.Kind.CARE_SUBSIDY, surplus__gt=0)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Cast("year", CharField()),
            ob_title=Concat(
                "division__name",
                Cast("year", CharField()),
                Value("年探视照料补贴尚有结余 "),
                Cast("surplus", CharField()),
                Value(" 元，年底前须用完"),
                output_field=CharField(),
            ),
            ob_owner_id=_agency(),
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=Cast(year_end, DateField()),
            ob_rule_key=Value("funding.no_surplus", output_field=CharField()),
            ob_clause=_citation_by_county(actor, "funding.no_surplus", "division__pk", counties),
            ob_link=url_expression("funding:disbursement-detail"),
        )
    )


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    for key, label, rows, done, text in (
        (
            "funding.over",
            "经费支出超出预算",
            over_rows,
            Q(over_limit=False),
            "核减、退回或调整预算后，次日核对通过即完成。",
        ),
        (
            "funding.near",
            "经费支出接近预算",
            near_rows,
            Q(near_limit=False) | Q(over_limit=True),
            "预算科目支出达到民政部门确定的预警比例；合理安排后续支出或申请调整预算。",
        ),
        (
            "funding.labour_share",
            "人力成本占比低于下限",
            labour_rows,
            Q(labour_short=False),
            "调整预算使人力成本占比达到政策规定的下限。",
        ),
    ):
        register(
            ObligationKind(
                key=key,
                label=label,
                model=Budget,
                rows=rows,
                done=done,
                void=Q(station__status="closed"),
                void_reason="站点已关闭。",
                description=text,
            )
        )
    from .models import ReliefBase

    register(
        ObligationKind(
            key="funding.relief_cap",
            label="救助资金使用超过上限",
            model=ReliefBase,
            rows=relief_rows,
            done=Q(over_cap=False),
            description="本县当年已批准预算使用的困难群众救助资金超过政策规定的上限：调整预算或核实计算基数。",
        )
    )
    register(
        ObligationKind(
            key="funding.care_surplus",
            label="探视照料补贴年底不得结余",
            model=Disbursement,
            rows=surplus_rows,
            done=Q(surplus__isnull=True) | Q(surplus__lte=0),
            description="探视照料补贴专款专用，不得结余：年底前按规定用于分散特困人员探视照料。",
        )
    )
