"""Writes of the funding app, each a declared action with its audit row: budgets proposed from the policy
standard, edited and approved by the county bureau (approval checks the relief-fund cap and the labour share);
the relief-fund base figures; the agency's spending with receipts, approved or returned by the bureau; and
disbursements (an agreement's tranches; Nantong's care subsidy)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Model, Sum
from django.utils import timezone

from accounts.models import User
from core import audit
from core.actions import check_state, declare
from core.scoping import Action
from policies.policy import effective_policy
from policies.registry import vocabulary
from stations.models import Division, Station

from . import budgets as rules
from .models import Budget, BudgetLine, Disbursement, Expenditure, LineKind, ReliefBase, Source
from .policy import yuan

MAX_LINES = 50
MAX_YUAN = Decimal("1000000000")  # a billion yuan: beyond any station's year


def _reread(model: type[Model], user: User, obj: Model, verb: str) -> Any:
    current = model._default_manager.for_user(user, verb).select_for_update().filter(pk=obj.pk).first()  # type: ignore[attr-defined]
    if current is None:
        raise PermissionDenied("不在您的权限范围内。")
    return current


def _recheck(user: User, obj: Model) -> None:
    if not type(obj)._default_manager.for_user(user, Action.VIEW).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied("保存后的记录不在您的权限范围内。")


def _station(user: User, station: Station) -> Station:
    current = Station.objects.for_user(user).filter(pk=station.pk).first()  # type: ignore[attr-defined]
    if current is None:
        raise PermissionDenied("该站点不在您的权限范围内。")
    return current


def money(raw: Any, field: str = "amount") -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "金额应为数字（元），最多两位小数。"}) from None
    if not value.is_finite() or value < 0 or value >= MAX_YUAN or value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: "金额应为不小于 0 的数字（元），最多两位小数。"})
    return yuan(value)


def _messages(findings: list[Any]) -> list[str]:
    return [f"{f.message}（{f.citation or f.clause}）" if (f.citation or f.clause) else f.message for f in findings]


# --- budgets ----------------------------------------------------------------------------------------------------


@declare("funding.budget_propose", label="按标准编制预算", model=Budget, verb=Action.ADD, detail=False)
@transaction.atomic
def budget_propose(*, acting_user: User, station: Station, year: int, first_year: bool | None = None) -> Budget:
    """A draft budget for a station and year, its lines proposed from the policy standard."""
    station = _station(acting_user, station)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年份应为 2000 至 2100。"})
    first = rules.is_first_year(station, year) if first_year is None else bool(first_year)
    lines, basis, _unknown = rules.proposal(station, year, first)
    if not lines:
        # No standard in the place's policy (Datian's plan sets none): an empty draft the bureau fills in from the
        # agreement and its own budget; the platform invents no amount.
        basis = "本地政策未规定每站经费标准，请按购买服务协议和本级预算填写科目。"
    budget = Budget(station=station, year=year, first_year=first, basis=basis, created_by=acting_user)
    budget.full_clean()
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:
        raise ValidationError({"year": "该站点本年度已有经费预算。"}) from None
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(budget=budget, kind=p.kind, category=p.category, source=p.source, amount=p.amount, note=p.note)
            for p in lines
        ]
    )
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=budget,
        division_code=station.division_id,
        changes={"year": year, "first_year": first, "total": str(sum(p.amount for p in lines))},
    )
    _recheck(acting_user, budget)
    return budget


def clean_lines(raw: list[dict[str, Any]]) -> list[BudgetLine]:
    """Budget lines from a list of ``{"kind", "category", "source", "amount", "note"}``, each checked, with the
    row number in every message."""
    if not raw:
        raise ValidationError({"lines": "预算至少要有一个科目。"})
    if len(raw) > MAX_LINES:
        raise ValidationError({"lines": f"预算科目最多 {MAX_LINES} 个。"})
    kinds, sources, cats = dict(LineKind.choices), dict(Source.choices), vocabulary("spending_categories")
    out, errors = [], []
    for n, row in enumerate(raw, start=1):
        if not isinstance(row, dict):
            errors.append(f"第 {n} 行：格式不正确。")
            continue
        kind, source = str(row.get("kind", "")), str(row.get("source", ""))
        category, note = str(row.get("category", "") or ""), str(row.get("note", "") or "")
        if kind not in kinds:
            errors.append(f"第 {n} 行：请选择科目（人力服务费用或运营费用）。")
        if source not in sources:
            errors.append(f"第 {n} 行：请选择资金来源。")
        if category and category not in cats:
            errors.append(f"第 {n} 行：支出类别不在规定的类别中。")
        if len(note) > 200:
            errors.append(f"第 {n} 行：说明最多 200 字。")
        try:
            amount = money(row.get("amount"))
        except ValidationError:
            errors.append(f"第 {n} 行：金额应为不小于 0 的数字（元），最多两位小数。")
            continue
        out.append(BudgetLine(kind=kind, category=category, source=source, amount=amount, note=note))
    if errors:
        raise ValidationError({"lines": errors})
    return out


@declare(
    "funding.budget_update",
    label="修改预算",
    model=Budget,
    verb=Action.CHANGE,
    state_field="status",
    states=[Budget.Status.DRAFT],
)
@transaction.atomic
def budget_update(*, acting_user: User, budget: Budget, lines: list[dict[str, Any]]) -> Budget:
    """Replace a draft budget's lines (all or nothing)."""
    current = _reread(Budget, acting_user, budget, Action.CHANGE)
    check_state("funding.budget_update", current)
    new = clean_lines(lines)
    before = {str(line): str(line.amount) for line in current.lines.all()}
    current.lines.all().delete()
    for line in new:
        line.budget = current
    BudgetLine.objects.bulk_create(new)
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.station.division_id,
        changes={"lines_before": before, "lines_after": [str(line) for line in new]},
    )
    return current


@declare(
    "funding.budget_approve",
    label="批准预算",
    model=Budget,
    verb="approve",
    state_field="status",
    states=[Budget.Status.DRAFT],
)
@transaction.atomic
def budget_approve(*, acting_user: User, budget: Budget) -> Budget:
    """Approve a draft: refused, naming the rule, the numbers and the clause, when it breaks the relief-fund cap
    or a labour share that applies; the findings are kept with the approval."""
    current = _reread(Budget, acting_user, budget, "approve")
    check_state("funding.budget_approve", current)
    # Approvals in one county take turns, so two budgets cannot each fit under the cap alone and break it together.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"funding.relief:{current.station.division_id[:6]}"]
        )
    total, _labour = rules.totals(current)
    if total <= 0:
        raise ValidationError({"budget": "预算没有科目或金额合计为零，请先填写科目。"})
    findings = rules.approval_findings(current)
    stops = rules.blocking(findings)
    if stops:
        raise ValidationError({"budget": _messages(stops)})
    current.status = Budget.Status.APPROVED
    current.approved_by = acting_user
    current.approved_at = timezone.now()
    current.findings = [f.to_dict() for f in findings]
    current.save(update_fields=["status", "approved_by", "approved_at", "findings"])
    total, labour = rules.totals(current)
    audit.record(
        acting_user=acting_user,
        event="approve",
        obj=current,
        division_code=current.station.division_id,
        changes={"total": str(total), "labour": str(labour), "findings": [f.outcome for f in findings]},
    )
    return current


# --- the relief-fund base ---------------------------------------------------------------------------------------


@declare("funding.relief_base_set", label="填报救助资金计算基数", model=ReliefBase, verb=Action.ADD, detail=False)
@transaction.atomic
def relief_base_set(*, acting_user: User, division: Division, year: int, amount: Any, document: str = "") -> ReliefBase:
    """The county bureau enters the base figure its policy names for a year (entered again: replaced, audited)."""
    county = Division.objects.for_user(acting_user).filter(pk=division.pk, level=Division.Level.COUNTY).first()  # type: ignore[attr-defined]
    if county is None:
        raise PermissionDenied("该县不在您的权限范围内。")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年份应为 2000 至 2100。"})
    value = money(amount)
    policy = effective_policy(county.code)
    cap = policy.get("funding.relief_fund_cap")
    if not cap:
        raise ValidationError({"division": "本县适用的政策未规定救助资金用于购买服务的比例上限，无须填报计算基数。"})
    from policies.registry import label_of

    basis = label_of("base_amounts", cap.get("base", ""))[:40]
    previous = ReliefBase.objects.filter(division=county, year=year).first()
    base, _ = ReliefBase.objects.update_or_create(
        division=county,
        year=year,
        defaults={"amount": value, "basis": basis, "document": document[:200], "entered_by": acting_user},
    )
    audit.record(
        acting_user=acting_user,
        event="update" if previous else "create",
        obj=base,
        division_code=county.code,
        changes={"amount": [str(previous.amount) if previous else None, str(value)], "basis": basis},
    )
    return base


# --- spending ---------------------------------------------------------------------------------------------------


@declare("funding.expenditure_record", label="登记经费支出", model=Expenditure, verb=Action.ADD, detail=False)
@transaction.atomic
def expenditure_record(
    *,
    acting_user: User,
    budget: Budget,
    line: BudgetLine,
    category: str,
    amount: Any,
    spent_on: dt.date,
    payee: str,
    description: str,
    receipt: Any,
) -> Expenditure:
    """The agency records a spending with its receipt against a line of an approved budget of its station. A
    category the policy forbids is refused with the reason and the clause; nothing is saved on any refusal."""
    from django.core.files.base import ContentFile

    from .receipts import clean_receipt

    current = Budget.objects.for_user(acting_user).filter(pk=budget.pk).first()  # type: ignore[attr-defined]
    if current is None:
        raise PermissionDenied("该预算不在您的权限范围内。")
    if current.status != Budget.Status.APPROVED:
        raise ValidationError({"budget": "预算尚未批准，不能登记支出。"})
    if line.budget_id != current.pk:
        raise ValidationError({"line": "请选择本预算的科目。"})
    errors: dict[str, str] = {}
    value = money(amount)
    if value <= 0:
        errors["amount"] = "支出金额须大于零。"
    if spent_on.year != current.year:
        errors["spent_on"] = f"支出日期应在预算年度 {current.year} 年内。"
    elif spent_on > timezone.localdate():
        errors["spent_on"] = "支出日期不能晚于今天。"
    payee, description = payee.strip(), description.strip()
    if not payee:
        errors["payee"] = "请填写收款方。"
    if not description:
        errors["description"] = "请填写用途说明。"
    verdict = rules.category_verdict(current.station.division_id, category, current.first_year)
    if verdict.allowed is False:
        errors["category"] = f"{verdict.reason}{'（' + verdict.clause + '）' if verdict.clause else ''}"
    elif line.category and line.category != category:
        errors["category"] = f"该科目只用于“{line.category_name}”。"
    fence = (
        rules.ring_fence(effective_policy(current.station.division_id)) if line.source == Source.CARE_SUBSIDY else None
    )
    if fence is not None and "amount" not in errors:
        # The care subsidy is ring-fenced: its line spends only the subsidy paid into it; other spending is
        # charged to the other lines.
        locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
        received, spent = rules.subsidy_available(locked)
        if spent + value > received:
            errors["amount"] = (
                f"探视照料补贴专款专用、不得挤占挪用（{fence.citation_text}）：该科目已拨入补贴 {received} 元，"
                f"已登记支出 {spent} 元，本次 {value} 元超出可用补贴 {yuan(received - spent)} 元；"
                "其他支出请记入其他资金来源的科目。"
            )
    if errors:
        raise ValidationError(errors)
    checked = clean_receipt(receipt)
    row = Expenditure(
        budget=current,
        line=line,
        category=category,
        amount=value,
        spent_on=spent_on,
        payee=payee[:100],
        description=description[:300],
        clause=(verdict.reason + (f"（{verdict.clause}）" if verdict.clause else ""))[:300],
        receipt_type=checked.content_type,
        receipt_extension=checked.extension,
        receipt_size=len(checked.data),
        receipt_sha256=checked.sha256,
        recorded_by=acting_user,
    )
    row.full_clean(exclude=["receipt"])
    row.receipt.save("receipt", ContentFile(checked.data), save=False)
    stored = str(row.receipt.name)
    try:
        row.save()
        audit.record(
            acting_user=acting_user,
            event="create",
            obj=row,
            division_code=current.station.division_id,
            changes={"amount": str(value), "category": category, "line": line.pk, "receipt": checked.sha256},
        )
        _recheck(acting_user, row)
    except Exception:
        row.receipt.storage.delete(stored)
        raise
    return row


@declare(
    "funding.expenditure_approve",
    label="核准支出",
    model=Expenditure,
    verb="approve",
    state_field="status",
    states=[Expenditure.Status.RECORDED],
)
@transaction.atomic
def expenditure_approve(*, acting_user: User, expenditure: Expenditure) -> Expenditure:
    """The bureau approves a spending: refused when the line's approved total would exceed the line."""
    current = _reread(Expenditure, acting_user, expenditure, "approve")
    check_state("funding.expenditure_approve", current)
    line = BudgetLine.objects.select_for_update().get(pk=current.line_id)
    approved = line.expenditures.filter(status=Expenditure.Status.APPROVED).aggregate(s=Sum("amount"))["s"] or 0
    if approved + current.amount > line.amount:
        raise ValidationError(
            {
                "amount": f"核准后该科目支出 {yuan(approved + current.amount)} 元，超过预算 {line.amount} 元"
                f"（已核准 {yuan(approved)} 元）；请先调整预算或退回。"
            }
        )
    current.status = Expenditure.Status.APPROVED
    current.decided_by, current.decided_at = acting_user, timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        acting_user=acting_user,
        event="approve",
        obj=current,
        division_code=current.budget.station.division_id,
        changes={"amount": str(current.amount), "line_approved": str(yuan(approved + current.amount))},
    )
    return current


@declare(
    "funding.expenditure_return",
    label="退回支出",
    model=Expenditure,
    verb="approve",
    state_field="status",
    states=[Expenditure.Status.RECORDED],
)
@transaction.atomic
def expenditure_return(*, acting_user: User, expenditure: Expenditure, note: str) -> Expenditure:
    current = _reread(Expenditure, acting_user, expenditure, "approve")
    check_state("funding.expenditure_return", current)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请写明退回理由。"})
    current.status = Expenditure.Status.RETURNED
    current.decided_by, current.decided_at, current.decision_note = acting_user, timezone.now(), note[:300]
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        acting_user=acting_user,
        event="return",
        obj=current,
        division_code=current.budget.station.division_id,
        changes={"note": note[:300]},
    )
    return current


# --- disbursements ----------------------------------------------------------------------------------------------


@declare("funding.tranches_plan", label="登记协议拨付计划", model=Disbursement, verb=Action.ADD, detail=False)
@transaction.atomic
def tranches_plan(*, acting_user: User, contract: Any) -> list[Disbursement]:
    """One planned disbursement per instalment of the agreement's schedule (资金拨付安排) not yet planned."""
    from contracts.models import Contract

    current = Contract.objects.for_user(acting_user).filter(pk=contract.pk).first()  # type: ignore[attr-defined]
    if current is None:
        raise PermissionDenied("该协议不在您的权限范围内。")
    instalments = list(current.payments.order_by("sequence"))
    if not instalments:
        raise ValidationError({"contract": "协议未填写资金拨付安排，请先在协议中填写。"})
    station = current.stations.order_by("pk").first()
    planned = set(Disbursement.objects.filter(contract=current).values_list("year", "sequence"))
    rows = [
        Disbursement(
            kind=Disbursement.Kind.TRANCHE,
            division_id=current.division_id,
            station=station,
            contract=current,
            year=p.due_date.year,
            sequence=p.sequence,
            due_date=p.due_date,
            amount=p.amount,
            basis=(f"协议 {current.number} 第{p.sequence}期" + (f"：{p.condition}" if p.condition else ""))[:300],
            recorded_by=acting_user,
        )
        for p in instalments
        if (p.due_date.year, p.sequence) not in planned
    ]
    if not rows:
        raise ValidationError({"contract": "该协议的各期拨付已全部登记。"})
    Disbursement.objects.bulk_create(rows)
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=current,
        division_code=current.division_id,
        changes={"tranches": [str(r.amount) for r in rows]},
    )
    return rows


RATE_KEYS = {
    "full": "funding.care_subsidy_full",
    "partial": "funding.care_subsidy_partial",
    "none": "funding.care_subsidy_none",
}


def care_subsidy_computation(township: Division, year: int, half: int) -> tuple[Decimal, dict[str, Any], str]:
    """Nantong's care subsidy for a township and half-year [004 §3(1)]: its scattered 特困 persons on the register
    by assessed self-care level, times the rate per person the city sets for each level. Refused (naming the
    rules) while a rate is not set or a person has no assessment."""
    from services.models import Beneficiary

    policy = effective_policy(township.code)
    basis = policy.rules.get("funding.subsidy_basis")
    if basis is None or not basis.is_set:
        raise ValidationError({"division": "本地政策未规定按分散特困人数和自理能力测算补贴，不适用。"})
    counts = dict(
        Beneficiary.objects.filter(
            division__code__startswith=township.code, active=True, categories__contains=["tekun_scattered"]
        )
        .values_list("self_care")
        .annotate(n=Count("pk"))
        .values_list("self_care", "n")
    )
    missing = counts.pop("", 0)
    errors = []
    if missing:
        errors.append(f"有 {missing} 名分散供养特困人员尚无自理能力评估结果，请先录入评估结果。")
    rates: dict[str, Decimal] = {}
    for level, key in RATE_KEYS.items():
        value = policy.get(key)
        if value is None:
            if counts.get(level):
                errors.append(f"{policy.rules[key].rule.label}尚未确定，请民政部门在政策中填写。")
            continue
        rates[level] = yuan(value)
    if errors:
        raise ValidationError({"division": errors})
    amount = sum((rates.get(level, Decimal(0)) * n for level, n in counts.items()), Decimal(0))
    computation = {
        "half": half,
        "persons": {level: counts.get(level, 0) for level in RATE_KEYS},
        "rates": {level: str(rate) for level, rate in rates.items()},
    }
    words = f"{basis.citation_text}：按分散供养特困人员 {sum(counts.values())} 人及其自理能力评估结果测算"
    return yuan(amount), computation, words[:300]


@declare("funding.care_subsidy_plan", label="测算探视照料补贴", model=Disbursement, verb=Action.ADD, detail=False)
@transaction.atomic
def care_subsidy_plan(
    *, acting_user: User, township: Division, year: int, half: int, due_date: dt.date
) -> Disbursement:
    current = (
        Division.objects.for_user(acting_user)  # type: ignore[attr-defined]
        .filter(pk=township.pk, level=Division.Level.TOWNSHIP)
        .first()
    )
    if current is None:
        raise PermissionDenied("该乡镇不在您的权限范围内。")
    policy = effective_policy(current.code)
    per_year = policy.get("funding.disbursements_per_year")
    if per_year is not None and not 1 <= int(half) <= int(per_year):
        raise ValidationError({"half": f"本地政策规定每年拨付 {per_year} 次，期次应为 1 至 {per_year}。"})
    amount, computation, basis = care_subsidy_computation(current, year, half)
    station = Station.objects.filter(division=current, level=Station.Level.TOWNSHIP).exclude(status="closed").first()
    row = Disbursement(
        kind=Disbursement.Kind.CARE_SUBSIDY,
        division=current,
        station=station,
        year=year,
        sequence=half,
        due_date=due_date,
        amount=amount,
        computation=computation,
        basis=basis,
        recorded_by=acting_user,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"half": "该期补贴已测算登记。"}) from None
    audit.record(acting_user=acting_user, event="create", obj=row, division_code=current.code, changes=computation)
    _recheck(acting_user, row)
    return row


@declare(
    "funding.disbursement_pay",
    label="登记已拨付",
    model=Disbursement,
    verb=Action.CHANGE,
    state_field="status",
    states=[Disbursement.Status.PLANNED],
)
@transaction.atomic
def disbursement_pay(*, acting_user: User, disbursement: Disbursement, paid_on: dt.date) -> Disbursement:
    current = _reread(Disbursement, acting_user, disbursement, Action.CHANGE)
    check_state("funding.disbursement_pay", current)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "拨付日期不能晚于今天。"})
    fields = ["status", "paid_on"]
    if current.kind == Disbursement.Kind.CARE_SUBSIDY:
        fence = rules.ring_fence(effective_policy(current.division_id))
        if fence is not None:
            # Ring-fenced: the subsidy paid is recorded against the township station's care-subsidy line.
            station = current.station or (
                Station.objects.filter(division_id=current.division_id, level=Station.Level.TOWNSHIP)
                .exclude(status=Station.Status.CLOSED)
                .first()
            )
            line = rules.subsidy_line(station, current.year)
            if line is None:
                raise ValidationError(
                    {
                        "disbursement": f"探视照料补贴专款专用（{fence.citation_text}）：请先批准本镇（街道）社工站"
                        f"{current.year}年预算，并列出资金来源为“{Source.CARE_SUBSIDY.label}”的科目，拨付的补贴记入该科目。"
                    }
                )
            current.line = line
            fields.append("line")
    current.status, current.paid_on = Disbursement.Status.PAID, paid_on
    current.save(update_fields=fields)
    audit.record(
        acting_user=acting_user,
        event="pay",
        obj=current,
        division_code=current.division_id,
        changes={"paid_on": str(paid_on), "amount": str(current.amount), "line": current.line_id},
    )
    return current


__all__ = [
    "budget_approve",
    "budget_propose",
    "budget_update",
    "care_subsidy_plan",
    "disbursement_pay",
    "expenditure_approve",
    "expenditure_record",
    "expenditure_return",
    "relief_base_set",
    "tranches_plan",
]
