"""Employment duties of one worker in one year, as findings from the effective policy (DOMAIN §4):
labour contract (and its probation limit, first term), monthly pay with the social insurances (五险 / 五险一金),
pay against the policy's multiple of the county's previous-year average wage, the share held back for
performance, and training and supervision hours against the minimums."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from policies.findings import FAIL, PASS, UNKNOWN, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy

from .models import AverageWage, SocialWorker, TrainingRecord

TRAINING_RULES = {
    "training.hours_city": (TrainingRecord.Kind.TRAINING, TrainingRecord.Level.CITY),
    "training.hours_county": (TrainingRecord.Kind.TRAINING, TrainingRecord.Level.COUNTY),
    "training.supervision_hours_city": (TrainingRecord.Kind.SUPERVISION, TrainingRecord.Level.CITY),
    "training.supervision_hours_county": (TrainingRecord.Kind.SUPERVISION, TrainingRecord.Level.COUNTY),
    "training.class_hours_min": (TrainingRecord.Kind.TRAINING, None),
}


def _set(policy: EffectivePolicy, key: str) -> bool:
    r = policy.rules.get(key)
    return r is not None and r.applies


def _with(f: Finding, outcome: str, message: str) -> Finding:
    return dataclasses.replace(f, outcome=outcome, message=message)


def _months(worker: SocialWorker, year: int, today: dt.date) -> list[dt.date]:
    """The months of ``year`` the worker was employed, up to the last month already over."""
    first = max(dt.date(year, 1, 1), worker.hired_on.replace(day=1))
    last_day = min(
        dt.date(year, 12, 31), worker.left_on or dt.date(year, 12, 31), today.replace(day=1) - dt.timedelta(1)
    )
    out, month = [], first
    while month <= last_day:
        out.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def employment_findings(  # noqa: C901 - one block per duty
    worker: SocialWorker, year: int, today: dt.date, policy: EffectivePolicy | None = None
) -> list[Finding]:
    policy = policy or effective_policy(worker.division_id)
    findings: list[Finding] = []
    contracts = sorted(worker.labour_contracts.all(), key=lambda c: c.start_date)
    pay = {p.month: p for p in worker.pay_records.all() if p.month.year == year}
    months = _months(worker, year, today)

    if _set(policy, "staff.labour_contract"):
        current = [c for c in contracts if c.start_date <= today and (c.end_date is None or c.end_date >= today)]
        f = evaluate(policy, "staff.labour_contract", actual=bool(current))
        detail = f"劳动合同至{current[0].end_date:%Y年%m月%d日}" if current and current[0].end_date else "无固定期限"
        findings.append(_with(f, f.outcome, f"{f.rule_label}：{detail if current else '没有有效的劳动合同'}"))
    if contracts and _set(policy, "staff.probation_max_months"):
        findings.append(
            evaluate(policy, "staff.probation_max_months", actual=max(c.probation_months for c in contracts))
        )
    if contracts and _set(policy, "staff.first_contract_years"):
        first = contracts[0]
        years = None
        if first.end_date:
            years = Decimal((first.end_date - first.start_date).days + 1) / Decimal("365.25")
            years = years.quantize(Decimal("0.1"))
        f = evaluate(policy, "staff.first_contract_years", actual=round(years) if years is not None else None)
        findings.append(f)

    if _set(policy, "staff.monthly_pay") and months:
        missing = [m for m in months if m not in pay]
        f = evaluate(policy, "staff.monthly_pay", actual=not missing)
        text = "、".join(f"{m.month}月" for m in missing)
        findings.append(
            _with(f, f.outcome, f"{f.rule_label}：" + (f"{year}年{text}未登记工资" if missing else "各月已发放"))
        )
    if _set(policy, "staff.social_insurance") and months:
        fund = policy.get("staff.social_insurance") == "five_insurances_housing_fund"
        unpaid = [
            m for m in months if m not in pay or not pay[m].insurance_paid or (fund and not pay[m].housing_fund_paid)
        ]
        f = evaluate(policy, "staff.social_insurance", actual=policy.get("staff.social_insurance"))
        what = "五险一金" if fund else "五险"
        text = "、".join(f"{m.month}月" for m in unpaid)
        findings.append(
            _with(
                f,
                FAIL if unpaid else PASS,
                f"{f.rule_label}：" + (f"{year}年{text}未缴{what}" if unpaid else f"各月已缴{what}"),
            )
        )
    if _set(policy, "staff.pay_multiplier"):
        base = AverageWage.objects.filter(division_id=worker.division_id[:6], year=year - 1).first()
        paid = [pay[m].gross_pay for m in months if m in pay]
        f = evaluate(policy, "staff.pay_multiplier")
        if base is None:
            findings.append(_with(f, UNKNOWN, f"{f.rule_label}：县民政局尚未登记{year - 1}年当地平均工资，无法判断。"))
        elif not paid:
            findings.append(_with(f, UNKNOWN, f"{f.rule_label}：{year}年尚未登记工资，无法判断。"))
        else:
            monthly = sum(paid, Decimal(0)) / len(paid)
            ratio = (monthly * 12 / base.amount).quantize(
                Decimal("0.001"), rounding=ROUND_FLOOR
            )  # never rounded up to pass
            f = evaluate(policy, "staff.pay_multiplier", actual=ratio)
            findings.append(
                _with(
                    f,
                    f.outcome,
                    f"{f.message}；月均工资 {monthly:.2f} 元，{year - 1}年当地平均工资 {base.amount:.2f} 元",
                )
            )
    if _set(policy, "staff.performance_pay_withheld") and pay:
        withheld = any(p.performance_withheld > 0 for p in pay.values())
        findings.append(evaluate(policy, "staff.performance_pay_withheld", actual=withheld))

    trainings = [t for t in worker.trainings.all() if t.date.year == year]
    for key, (kind, level) in TRAINING_RULES.items():
        if not _set(policy, key):
            continue
        hours = sum((t.hours for t in trainings if t.kind == kind and (level is None or t.level == level)), Decimal(0))
        f = evaluate(policy, key, actual=hours)
        if f.outcome == FAIL and year == today.year:
            f = _with(f, UNKNOWN, f"{f.message}（本年度尚未结束）")
        findings.append(f)
    return findings


def worker_context(worker: SocialWorker, today: dt.date) -> dict[str, Any]:
    year = today.year
    return {
        "year": year,
        "employment": employment_findings(worker, year, today),
        "previous": employment_findings(worker, year - 1, today),
    }
