"""Employment duties of one worker in one year, as findings from the effective policy (DOMAIN §4):
labour contract (and its probation limit, first term), monthly pay with the social insurances (五险 / 五险一金),
pay against the policy's multiple of the county's previous-year average wage, the share held back for
performance, and training and supervision hours against the minimums."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from policies.findings import FAIL, PASS, UNKNOWN, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy
from policies.registry import rules

from .models import AverageWage, SocialWorker, TrainingRecord

HOLD_BACK = "staff.performance_pay_withheld"
HOLD_BACK_SHARE = "staff.performance_pay_share_min"

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
        # The limit is the first contract's (初次聘用合同……可设定不超过六个月的试用期).
        first = contracts[0]
        f = evaluate(policy, "staff.probation_max_months", actual=first.probation_months)
        findings.append(_with(f, f.outcome, f"{f.message}（首份劳动合同，{first.start_date:%Y年%m月%d日}起）"))
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
    # The hold-back is asked where the policy requires it or sets its least share (a lower level's 否 asks none).
    hold_back, least = policy.get(HOLD_BACK), policy.get(HOLD_BACK_SHARE)
    if hold_back is not False and (hold_back or least not in (None, "")) and pay:
        findings.append(_hold_back_finding(policy, year, pay, least))

    trainings = [t for t in worker.trainings.all() if t.date.year == year]
    months_employed = employed_months(worker, year)
    for key, (kind, level) in TRAINING_RULES.items():
        if not _set(policy, key) or months_employed <= 0:
            continue
        hours = sum((t.hours for t in trainings if t.kind == kind and (level is None or t.level == level)), Decimal(0))
        f = evaluate(policy, key, actual=hours)
        if months_employed < 12 and f.outcome in (PASS, FAIL):
            f = prorated(f, worker, year, months_employed, hours)
        if f.outcome == FAIL and year == today.year:
            f = _with(f, UNKNOWN, f"{f.message}（本年度尚未结束）")
        findings.append(f)
    return findings


def employed_months(worker: SocialWorker, year: int) -> int:
    """The months of ``year`` the worker is employed on some day of (the same count as staffing.duties'
    ``months_in_year``): from the hire month when hired that year, else January, to the leaving month when left
    that year, else December."""
    if worker.hired_on.year > year or (worker.left_on is not None and worker.left_on.year < year):
        return 0
    start = worker.hired_on.month if worker.hired_on.year == year else 1
    end = worker.left_on.month if worker.left_on is not None and worker.left_on.year == year else 12
    return end - start + 1


def prorated(f: Finding, worker: SocialWorker, year: int, months: int, hours: Decimal) -> Finding:
    """A yearly minimum for a worker employed only part of the year: owed in proportion to the months employed,
    minimum × months / 12; hours are recorded to a tenth, so comparing with the share rounded up to a tenth is the
    exact comparison (hours × 12 ≥ minimum × months)."""
    minimum = Decimal(str(f.expected))
    need = (minimum * months / 12).quantize(Decimal("0.1"), rounding=ROUND_CEILING)
    ok = hours * 12 >= minimum * months
    unit = rules()[f.rule_key].unit
    when = []
    if worker.hired_on.year == year:
        when.append(f"{year}年{worker.hired_on.month}月入职")
    if worker.left_on is not None and worker.left_on.year == year:
        when.append(f"{worker.left_on.month}月离职")
    message = (
        f"{f.rule_label}：{'、'.join(when)}，本年在职{months}个月（在职当月按整月计），"
        f"全年最低 {_plain(minimum)} {unit}按在职月数折算为 {_plain(minimum)} × {months}/12 = {_plain(need)} {unit}"
        f"（向上取到0.1）；实际 {_plain(hours)} {unit}，{'已达到' if ok else '未达到'}"
    )
    facts = {**f.facts, "months": months, "prorated_minimum": need}
    return dataclasses.replace(f, outcome=PASS if ok else FAIL, message=message, facts=facts)


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _hold_back_finding(policy: EffectivePolicy, year: int, pay: dict[dt.date, Any], least: Any) -> Finding:
    """Each month's pay of the year: the share held back for performance against the policy's least share, or
    against "some share" where the policy sets no figure (提取一定的比例)."""
    key = HOLD_BACK if _set(policy, HOLD_BACK) else HOLD_BACK_SHARE
    f = evaluate(policy, key, actual=True)
    share = Decimal(str(least)) if least not in (None, "") else None
    short = []
    for month, p in sorted(pay.items()):
        if p.gross_pay <= 0:
            continue
        if (share is None and p.performance_withheld <= 0) or (
            share is not None and p.performance_withheld < p.gross_pay * share
        ):
            got = (p.performance_withheld * 100 / p.gross_pay).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
            short.append(f"{month.month}月 {got}%")
    asked = f"不低于应发工资的 {_plain(share * 100)}%" if share is not None else "提取一定的比例（具体比例未规定）"
    if short:
        text = f"{year}年{'、'.join(short)}，低于政策要求（{asked}）"
    else:
        text = f"{year}年已登记各月均已提取（{asked}）"
    return _with(f, FAIL if short else PASS, f"工资中提取绩效考核工资：{text}")


def worker_context(worker: SocialWorker, today: dt.date) -> dict[str, Any]:
    year = today.year
    return {
        "year": year,
        "employment": employment_findings(worker, year, today),
        "previous": employment_findings(worker, year - 1, today),
    }
