"""What the policy says about a budget and its spending, as findings (DOMAIN §7): the proposal from the standard
and its split by source, the labour share (a conditional rule), the county's relief-fund cap over the year's
approved budgets, whether a spending category is allowed for a station, and each line's running totals.

Every number comes from the effective policy of the station's place; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from policies.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy
from stations.models import Station

from .models import Budget, BudgetLine, Expenditure, LineKind, ReliefBase, Source
from .policy import _restate, categories, relief_cap, yuan

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ProposedLine:
    kind: str
    category: str
    source: str
    amount: Decimal
    note: str


def is_first_year(station: Station, year: int) -> bool:
    """A station's first year: it opened (its plaque) in that year, or it has not opened yet."""
    if station.plaque_date is not None:
        return station.plaque_date.year == year
    return station.status in (Station.Status.PLANNED, Station.Status.PREPARING)


def proposal(
    station: Station, year: int, first_year: bool, policy: EffectivePolicy | None = None
) -> tuple[list[ProposedLine], str, list[Finding]]:
    """The lines the policy standard proposes for one station and year, the basis in words, and the findings of
    rules it could not apply. A new station's first year is split between province and county where the policy
    says so (Baisha: half each [002 §4]); otherwise the county pays."""
    policy = policy or effective_policy(station.division_id)
    labour = policy.get("funding.station_labour")
    operations = policy.get("funding.station_operations")
    findings: list[Finding] = []
    if labour is None or operations is None:
        findings = [evaluate(policy, k) for k in ("funding.station_labour", "funding.station_operations")]
        return [], "", [f for f in findings if f.outcome == UNKNOWN]
    share_rule = policy.rules.get("funding.first_year_province_share")
    province_share = (
        Decimal(str(share_rule.value)) if first_year and share_rule is not None and share_rule.is_set else None
    )
    lines: list[ProposedLine] = []
    for kind, amount, category in (
        (LineKind.LABOUR, yuan(labour), "labour"),
        (LineKind.OPERATIONS, yuan(operations), ""),
    ):
        if province_share:
            province = yuan(amount * province_share)
            cite = share_rule.citation_text if share_rule else ""
            lines.append(ProposedLine(kind, category, Source.PROVINCE, province, f"新建站当年省级承担（{cite}）"))
            lines.append(
                ProposedLine(kind, category, Source.COUNTY, amount - province, f"新建站当年县级承担（{cite}）")
            )
        else:
            lines.append(ProposedLine(kind, category, Source.COUNTY, amount, ""))
    rule = policy.rules["funding.station_labour"]
    basis = f"按政策标准：人力服务费用 {yuan(labour)} 元、运营费用 {yuan(operations)} 元（{rule.citation_text}）"
    return lines, basis[:300], findings


def standard_raised(policy: EffectivePolicy) -> bool | None:
    """Whether the base standard has been raised (Baisha's 70% labour share applies only then [002 §4]): the
    standard in force (labour + operations) above the base standard's minimum. None when either is unknown."""
    labour = policy.get("funding.station_labour")
    operations = policy.get("funding.station_operations")
    minimum = policy.get("funding.station_total_min")
    if labour is None or operations is None or minimum is None:
        return None
    return yuan(labour) + yuan(operations) > yuan(minimum)


def labour_share(total: Decimal, labour: Decimal, policy: EffectivePolicy) -> Finding:
    """The labour share of a budget against the policy's minimum, reported as not applicable when its condition
    (the standard raised) does not hold."""
    conditions: dict[str, bool] = {}
    raised = standard_raised(policy)
    if raised is not None:
        conditions["base_standard_raised"] = raised
    actual = {"amount": labour, "base_amount": total} if total > 0 else None
    return evaluate(policy, "funding.labour_min_share", actual=actual, conditions=conditions)


def totals(budget: Budget) -> tuple[Decimal, Decimal]:
    """(total, labour) of a budget's lines."""
    rows = budget.lines.aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField()),
        labour=Coalesce(Sum("amount", filter=Q(kind=LineKind.LABOUR)), Value(ZERO), output_field=DecimalField()),
    )
    return yuan(rows["total"]), yuan(rows["labour"])


def county_of(budget: Budget) -> str:
    return budget.station.division_id[:6]


def relief_check(budget: Budget, policy: EffectivePolicy) -> Finding | None:
    """The county's relief-fund cap over its approved budgets of the year plus this one, or None when this budget
    takes no relief money. The cap is inclusive; without the base figure for the year the approval cannot be
    checked and is refused (the bureau enters it first)."""
    own = budget.lines.filter(source=Source.RELIEF).aggregate(s=Sum("amount"))["s"]
    if not own:
        return None
    county = county_of(budget)
    others = (
        BudgetLine.objects.filter(
            source=Source.RELIEF,
            budget__status=Budget.Status.APPROVED,
            budget__year=budget.year,
            budget__station__division__pk__startswith=county,
        )
        .exclude(budget=budget)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    spent = yuan(own) + yuan(others)
    base = ReliefBase.objects.filter(division_id=county, year=budget.year).first()
    if base is None:
        f = evaluate(policy, "funding.relief_fund_cap")
        if not policy.get("funding.relief_fund_cap"):
            return f  # no cap in the place's policy: unknown, said, not blocking
        return _restate(
            f, FAIL, f"本县{budget.year}年救助资金计算基数尚未填报，无法核对使用救助资金 {spent} 元是否超过上限。"
        )
    return relief_cap(county, base.amount, spent=spent, policy=policy).findings[0]


def approval_findings(budget: Budget) -> list[Finding]:
    """What approval checks: the labour share where it applies and the relief-fund cap when relief money is used."""
    policy = effective_policy(budget.station.division_id)
    total, labour = totals(budget)
    findings = [labour_share(total, labour, policy)]
    relief = relief_check(budget, policy)
    if relief is not None:
        findings.append(relief)
    return findings


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking or (f.outcome == FAIL and f.rule_key == "funding.relief_fund_cap")]


# --- spending categories of a station ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryVerdict:
    code: str
    name: str
    allowed: bool | None
    reason: str
    clause: str


def category_verdict(division: str, code: str, first_year: bool) -> CategoryVerdict:
    """Whether the policy of ``division`` lets a station spend on ``code``: forbidden categories refused with the
    clause; a first-year exception (Baisha's office equipment [002 annex 2]) only in the station's first year."""
    row = next((c for c in categories(division) if c["code"] == code), None)
    if row is None:
        return CategoryVerdict(code, code, False, "不是规定的支出类别。", "")
    name, clause, condition = row["name"], row["clause"], row["condition"]
    if row["allowed"] is False:
        return CategoryVerdict(code, name, False, f"“{name}”不在项目经费可支出范围内。", clause)
    if condition and not first_year:
        return CategoryVerdict(code, name, False, f"“{name}”只在{condition}可以支出，本预算不是新建站当年。", clause)
    if row["allowed"] is None:
        return CategoryVerdict(code, name, None, "本地政策未列出此类别，按可支出处理，由民政局审核。", clause)
    return CategoryVerdict(code, name, True, f"{condition}可以支出。" if condition else "可以支出。", clause)


def allowed_categories(division: str, first_year: bool) -> list[tuple[str, str]]:
    """The categories a station may spend on, as form choices."""
    out = []
    for c in categories(division):
        verdict = category_verdict(division, c["code"], first_year)
        if verdict.allowed is not False:
            out.append((c["code"], c["name"]))
    return out


# --- the ring fence of the care subsidy -------------------------------------------------------------------------


def ring_fence(policy: EffectivePolicy) -> Any:
    """The rule that ring-fences the care subsidy (``funding.ring_fenced``: "专款专用，不得结余，不得挤占挪用"
    [004 §3(1)]) when the place's policy sets it true, else None. The rule names no spending categories: the fence
    is that the subsidy paid is recorded against a line of source 探视照料补贴 and only that line spends it, up to
    the subsidy received (no other spending charged to it)."""
    rule = policy.rules.get("funding.ring_fenced")
    return rule if rule is not None and rule.is_set and rule.value else None


def subsidy_line(station: Station | None, year: int) -> BudgetLine | None:
    """The care-subsidy line of the station's approved budget of ``year`` (the first, if it has several)."""
    if station is None:
        return None
    return (
        BudgetLine.objects.filter(
            budget__station=station,
            budget__year=year,
            budget__status=Budget.Status.APPROVED,
            source=Source.CARE_SUBSIDY,
        )
        .order_by("pk")
        .first()
    )


def subsidy_available(line: BudgetLine) -> tuple[Decimal, Decimal]:
    """(received, spent) of a ring-fenced line: the paid care subsidy recorded against it, and its recorded and
    approved spending."""
    from .models import Disbursement

    received = Disbursement.objects.filter(line=line, status=Disbursement.Status.PAID).aggregate(s=Sum("amount"))["s"]
    spent = line.expenditures.filter(status__in=[Expenditure.Status.RECORDED, Expenditure.Status.APPROVED]).aggregate(
        s=Sum("amount")
    )["s"]
    return yuan(received or ZERO), yuan(spent or ZERO)


# --- running totals ---------------------------------------------------------------------------------------------


def line_totals(budget: Budget) -> list[dict[str, Any]]:
    """Each line with its approved and pending spending and what is left, in one query."""
    approved = Q(expenditures__status=Expenditure.Status.APPROVED)
    pending = Q(expenditures__status=Expenditure.Status.RECORDED)
    rows = budget.lines.annotate(
        approved=Coalesce(Sum("expenditures__amount", filter=approved), Value(ZERO), output_field=DecimalField()),
        pending=Coalesce(Sum("expenditures__amount", filter=pending), Value(ZERO), output_field=DecimalField()),
    ).order_by("kind", "pk")
    out = []
    for line in rows:
        left = line.amount - line.approved - line.pending
        used = (line.approved + line.pending) / line.amount if line.amount else None
        out.append({"line": line, "approved": line.approved, "pending": line.pending, "left": left, "used": used})
    return out


__all__ = [
    "NOT_APPLICABLE",
    "PASS",
    "CategoryVerdict",
    "allowed_categories",
    "approval_findings",
    "category_verdict",
    "is_first_year",
    "labour_share",
    "line_totals",
    "proposal",
    "totals",
]
