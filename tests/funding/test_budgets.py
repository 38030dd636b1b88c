"""Budgets, spending and disbursements (issue 12): proposed from the standard, approvals refusing a relief-fund cap
breach at the fen, forbidden categories per place, receipts checked, running totals, the nightly check raising
each alert once, and Nantong's care subsidy with its no-surplus check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding import actions as fa
from funding.budgets import line_totals
from funding.models import Budget, Disbursement, Expenditure, ReliefBase
from obligations.models import Notification, Obligation
from obligations.sweep import run_sweep
from stations.models import Station
from tests.funding.support import adopt_nantong, pdf, place, png, set_rule

pytestmark = pytest.mark.django_db

FUNDING_KINDS = [
    "funding.over",
    "funding.near",
    "funding.labour_share",
    "funding.care_surplus",
    "funding.relief_cap",
]


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def _lines(budget: Budget) -> list[tuple[str, str, str, Decimal]]:
    return sorted((x.kind, x.category, x.source, x.amount) for x in budget.lines.all())


def _budget(p: Any, lines: list[dict[str, Any]], year: int | None = None, approve: bool = True) -> Budget:
    budget = fa.budget_propose(acting_user=p.bureau, station=p.station, year=year or timezone.localdate().year)
    fa.budget_update(acting_user=p.bureau, budget=budget, lines=lines)
    return fa.budget_approve(acting_user=p.bureau, budget=budget) if approve else budget


def _spend(p: Any, budget: Budget, amount: str, category: str = "transport", kind: str = "operations") -> Expenditure:
    line = budget.lines.filter(kind=kind).order_by("pk").first()
    assert line is not None
    return fa.expenditure_record(
        acting_user=p.agency,
        budget=budget,
        line=line,
        category=category,
        amount=amount,
        spent_on=timezone.localdate(),
        payee="县客运站",
        description="入户探访交通",
        receipt=pdf(),
    )


# --- proposal and the labour share ------------------------------------------------------------------------------


def test_baisha_new_station_proposed_from_the_standard_half_province_half_county(demo: None) -> None:
    p = place("469025", status=Station.Status.PREPARING)
    budget = fa.budget_propose(acting_user=p.bureau, station=p.station, year=2026)
    assert budget.first_year and "162000.00" in budget.basis and "第四部分" in budget.basis
    assert _lines(budget) == [
        ("labour", "labour", "county", Decimal("81000.00")),
        ("labour", "labour", "province", Decimal("81000.00")),
        ("operations", "", "county", Decimal("29000.00")),
        ("operations", "", "province", Decimal("29000.00")),
    ]
    approved = fa.budget_approve(acting_user=p.bureau, budget=budget)
    share = next(f for f in approved.findings if f["rule_key"] == "funding.labour_min_share")
    # 70 % applies only once the base standard is raised [002 §4]: not at today's 220,000.
    assert share["outcome"] == "not_applicable" and "目前不适用" in share["message"]


def test_an_older_station_is_paid_by_the_county(demo: None) -> None:
    p = place("469025", plaque=dt.date(2022, 5, 1))
    budget = fa.budget_propose(acting_user=p.bureau, station=p.station, year=2026)
    assert not budget.first_year
    assert {x.source for x in budget.lines.all()} == {"county"}
    assert sum(x.amount for x in budget.lines.all()) == Decimal("220000.00")


def test_the_labour_share_applies_once_the_standard_is_raised(demo: None) -> None:
    p = place("469025", plaque=dt.date(2022, 5, 1))
    set_rule("469025", "funding.station_labour", "200000", "[002 §4]")  # raised: 200,000 + 58,000 > 220,000
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "170000"},
            {"kind": "operations", "source": "county", "amount": "88000"},
        ],
        approve=False,
    )
    with pytest.raises(ValidationError) as refused:
        fa.budget_approve(acting_user=p.bureau, budget=budget)
    assert "人力成本占比" in str(refused.value) and "70" in str(refused.value)
    fa.budget_update(
        acting_user=p.bureau,
        budget=budget,
        lines=[
            {"kind": "labour", "source": "county", "amount": "180600"},  # exactly 70 % of 258,000
            {"kind": "operations", "source": "county", "amount": "77400"},
        ],
    )
    assert fa.budget_approve(acting_user=p.bureau, budget=budget).status == "approved"


def test_a_place_without_a_standard_gets_an_empty_draft_it_must_fill(demo: None) -> None:
    p = place("350425")
    budget = fa.budget_propose(acting_user=p.bureau, station=p.station, year=2026)
    assert not budget.lines.exists() and "未规定每站经费标准" in budget.basis
    with pytest.raises(ValidationError, match="请先填写科目"):
        fa.budget_approve(acting_user=p.bureau, budget=budget)
    with pytest.raises(ValidationError) as bad:
        fa.budget_update(acting_user=p.bureau, budget=budget, lines=[{"kind": "x", "source": "county", "amount": "-1"}])
    assert "第 1 行" in str(bad.value)
    assert not budget.lines.exists()


# --- the relief-fund cap at approval ----------------------------------------------------------------------------


NEXT_YEAR = timezone.localdate().year + 1  # the demo holds this year's base and budgets: plan the next


def _relief(p: Any, amount: str) -> Budget:
    return _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "150000"},
            {"kind": "operations", "source": "relief", "amount": amount},
        ],
        year=NEXT_YEAR,
        approve=False,
    )


def test_relief_money_needs_the_base_first(demo: None) -> None:
    p = place("350425")
    budget = _relief(p, "1000")
    with pytest.raises(ValidationError) as refused:
        fa.budget_approve(acting_user=p.bureau, budget=budget)
    assert "计算基数尚未填报" in str(refused.value)


@pytest.mark.parametrize(("second", "ok"), [("19999.99", True), ("20000.00", True), ("20000.01", False)])
def test_the_county_cap_over_its_approved_budgets_at_the_fen(demo: None, second: str, ok: bool) -> None:
    year = NEXT_YEAR
    first = place("350425")
    fa.relief_base_set(acting_user=first.bureau, division=first.county, year=year, amount="1000000")
    assert ReliefBase.objects.get(division=first.county, year=year).basis == "当年困难群众救助补助资金年度预算总额"
    fa.budget_approve(acting_user=first.bureau, budget=_relief(first, "30000"))
    other = place("350425")
    budget = _relief(other, second)  # 30,000 + this against 5 % of 1,000,000 = 50,000 [000 §7(2)]
    if ok:
        assert fa.budget_approve(acting_user=other.bureau, budget=budget).status == "approved"
        return
    with pytest.raises(ValidationError) as refused:
        fa.budget_approve(acting_user=other.bureau, budget=budget)
    text = str(refused.value)
    assert "用于购买服务 50000.01 元，上限 50000.00 元" in text and "田政办〔2021〕25号 第七部分第（二）项" in text
    assert Budget.objects.get(pk=budget.pk).status == "draft"


@pytest.mark.parametrize(("second", "ok"), [("19999.99", True), ("20000.00", True), ("20000.01", False)])
def test_luzhou_cap_of_last_years_relief_spending_at_the_fen(demo: None, second: str, ok: bool) -> None:
    year = NEXT_YEAR
    first = place("510502")
    fa.relief_base_set(acting_user=first.bureau, division=first.county, year=year, amount="1000000")
    assert ReliefBase.objects.get(division=first.county, year=year).basis == "上年度困难群众救助资金支出总额"
    fa.budget_approve(acting_user=first.bureau, budget=_relief(first, "10000"))
    other = place("510502")
    budget = _relief(other, second)  # 10,000 + this against 3 % of 1,000,000 = 30,000 [001 §6(2)]
    if ok:
        approved = fa.budget_approve(acting_user=other.bureau, budget=budget)
        cap = next(f for f in approved.findings if f["rule_key"] == "funding.relief_fund_cap")
        assert approved.status == "approved" and cap["outcome"] == "pass"
        assert f"用于购买服务 {Decimal('10000') + Decimal(second)} 元，上限 30000.00 元" in cap["message"]
        return
    with pytest.raises(ValidationError) as refused:
        fa.budget_approve(acting_user=other.bureau, budget=budget)
    text = str(refused.value)
    assert "用于购买服务 30000.01 元，上限 30000.00 元" in text and "第六部分第（二）项" in text
    assert Budget.objects.get(pk=budget.pk).status == "draft"


# --- spending ---------------------------------------------------------------------------------------------------


def test_luzhou_refuses_fixed_assets_and_utilities_with_the_clause(demo: None) -> None:
    p = place("510502", plaque=dt.date(2022, 1, 1))
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "100000"},
            {"kind": "operations", "source": "county", "amount": "50000"},
        ],
    )
    for category in ("fixed_assets", "utilities", "office_equipment"):
        with pytest.raises(ValidationError) as refused:
            _spend(p, budget, "500", category=category)
        assert "category" in refused.value.message_dict, category
    assert "附件2第17条第（三）项" in str(refused.value)
    assert _spend(p, budget, "500", category="transport").status == "recorded"
    assert Expenditure.objects.filter(budget=budget).count() == 1


def test_baisha_allows_office_equipment_only_in_a_new_stations_first_year(demo: None) -> None:
    year = timezone.localdate().year
    new = place("469025", plaque=dt.date(year, 3, 1))
    budget = fa.budget_approve(
        acting_user=new.bureau, budget=fa.budget_propose(acting_user=new.bureau, station=new.station, year=year)
    )
    assert budget.first_year
    row = _spend(new, budget, "3200", category="office_equipment")
    assert row.status == "recorded" and "新建社工站当年可以支出" in row.clause and "附件2" in row.clause
    old = place("469025", plaque=dt.date(2022, 3, 1))
    later = fa.budget_approve(
        acting_user=old.bureau, budget=fa.budget_propose(acting_user=old.bureau, station=old.station, year=year)
    )
    with pytest.raises(ValidationError, match="新建站当年"):
        _spend(old, later, "3200", category="office_equipment")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: pdf(b"MZ\x90\x00 not a pdf", "receipt.pdf"), "PDF、JPG 或 PNG"),
        (lambda: pdf(b"%PDF-1.4\n/OpenAction << /S /JavaScript /JS (app.alert(1)) >>\n%%EOF\n"), "脚本"),
        (lambda: pdf(b"%PDF-1.4\n1 0 obj"), "不完整"),
        (lambda: pdf(b""), "为空"),
    ],
)
def test_a_bad_receipt_is_refused_and_nothing_saved(demo: None, private_dir: Path, upload: Any, message: str) -> None:
    p = place("350425")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "100"},
            {"kind": "operations", "source": "county", "amount": "100"},
        ],
    )
    line = budget.lines.get(kind="operations")
    with pytest.raises(ValidationError, match=message):
        fa.expenditure_record(
            acting_user=p.agency,
            budget=budget,
            line=line,
            category="transport",
            amount="10",
            spent_on=timezone.localdate(),
            payee="某某",
            description="交通",
            receipt=upload(),
        )
    assert not Expenditure.objects.filter(budget=budget).exists()
    assert not list(private_dir.rglob("*.*"))


def test_running_totals_and_approval_within_the_line(demo: None) -> None:
    p = place("350425")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "1000"},
            {"kind": "operations", "source": "county", "amount": "1000"},
        ],
    )
    first = _spend(p, budget, "600.00")
    second = fa.expenditure_record(
        acting_user=p.agency,
        budget=budget,
        line=budget.lines.get(kind="operations"),
        category="printing",
        amount="400.01",
        spent_on=timezone.localdate(),
        payee="印刷厂",
        description="宣传册",
        receipt=png(),
    )
    assert second.receipt_type == "image/png"
    fa.expenditure_approve(acting_user=p.bureau, expenditure=first)
    with pytest.raises(ValidationError, match="超过预算"):
        fa.expenditure_approve(acting_user=p.bureau, expenditure=second)
    totals = {r["line"].kind: r for r in line_totals(budget)}["operations"]
    assert (totals["approved"], totals["pending"], totals["left"]) == (
        Decimal("600.00"),
        Decimal("400.01"),
        Decimal("-0.01"),
    )
    fa.expenditure_return(acting_user=p.bureau, expenditure=second, note="超出科目预算，请分开登记")
    assert Expenditure.objects.get(pk=second.pk).status == "returned"


# --- the nightly check ------------------------------------------------------------------------------------------


def _open(kind: str, obj: Any) -> int:
    return Obligation.objects.filter(
        kind=kind, object_id=str(obj.pk), state__in=["upcoming", "due_soon", "overdue"]
    ).count()


def _swept_twice(kind: str, obj: Any, today: dt.date | None = None) -> Obligation:
    """Two nightly runs: the second raises nothing again (one obligation, no new message). ``today``: a night
    when the alert is due, so that its reminder's messages go out."""
    counts = []
    for _ in range(2):
        run_sweep(today=today, kind_keys=FUNDING_KINDS)
        raised = Obligation.objects.filter(kind=kind, object_id=str(obj.pk))
        counts.append((raised.count(), Notification.objects.filter(obligation__in=raised).count()))
    assert counts[0] == counts[1], counts
    assert counts[0][0] == 1 and counts[0][1] >= 1, counts
    return Obligation.objects.get(kind=kind, object_id=str(obj.pk))


def test_the_nightly_check_raises_each_alert_once_and_closes_it(demo: None) -> None:
    p = place("350425")
    set_rule("350425", "funding.alert_near_share", "0.9")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "1000"},
            {"kind": "operations", "source": "county", "amount": "1000"},
        ],
    )
    _spend(p, budget, "899.99")
    run_sweep(kind_keys=FUNDING_KINDS)
    assert _open("funding.near", budget) == 0
    _spend(p, budget, "0.01")  # 900.00 of 1,000: the alert share reached
    run_sweep(kind_keys=FUNDING_KINDS)
    run_sweep(kind_keys=FUNDING_KINDS)
    assert Obligation.objects.filter(kind="funding.near", object_id=str(budget.pk)).count() == 1
    assert _open("funding.near", budget) == 1 and _open("funding.over", budget) == 0
    ob = Obligation.objects.get(kind="funding.near", object_id=str(budget.pk))
    assert ob.owner_id == p.agency.organisation_id and "接近预算" in ob.title
    _spend(p, budget, "100.01")  # over the line
    over = _swept_twice("funding.over", budget)
    assert over.owner_id == p.agency.organisation_id and "超出预算" in over.title
    assert _open("funding.over", budget) == 1 and _open("funding.near", budget) == 0
    Expenditure.objects.filter(budget=budget, amount=Decimal("100.01")).update(status="returned")
    run_sweep(kind_keys=FUNDING_KINDS)
    assert _open("funding.over", budget) == 0 and _open("funding.near", budget) == 1


def test_no_near_alert_where_the_bureau_set_no_share(demo: None) -> None:
    p = place("350425")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "1000"},
            {"kind": "operations", "source": "county", "amount": "1000"},
        ],
    )
    _spend(p, budget, "999")
    run_sweep(kind_keys=FUNDING_KINDS)
    assert not Obligation.objects.filter(kind="funding.near", object_id=str(budget.pk)).exists()


def test_the_labour_share_alert_where_the_rule_applies(demo: None) -> None:
    p = place("469025", plaque=dt.date(2022, 5, 1))
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "162000"},
            {"kind": "operations", "source": "county", "amount": "158000"},
        ],
    )  # approved while the 70 % rule did not apply (standard not raised)
    run_sweep(kind_keys=FUNDING_KINDS)
    assert _open("funding.labour_share", budget) == 0
    set_rule("469025", "funding.station_labour", "200000", "[002 §4]")
    ob = _swept_twice("funding.labour_share", budget)
    assert _open("funding.labour_share", budget) == 1
    assert ob.clause == "《白沙黎族自治县乡镇社会工作服务站项目工作方案》 第四部分"


def test_the_nightly_check_takes_a_fixed_number_of_queries(demo: None) -> None:
    set_rule("350425", "funding.alert_near_share", "0.9")

    def sweep() -> int:
        with CaptureQueriesContext(connection) as ctx:
            run_sweep(kind_keys=FUNDING_KINDS)
        return len(ctx.captured_queries)

    p = place("350425")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "100"},
            {"kind": "operations", "source": "county", "amount": "100"},
        ],
    )
    _spend(p, budget, "95")
    sweep()
    few = sweep()
    for _ in range(3):
        q = place("350425")
        b = _budget(
            q,
            [
                {"kind": "labour", "source": "county", "amount": "100"},
                {"kind": "operations", "source": "county", "amount": "100"},
            ],
        )
        _spend(q, b, "95")
    sweep()
    assert sweep() == few


# --- disbursements and Nantong's care subsidy -------------------------------------------------------------------


def _tekun(p: Any, self_care: str) -> None:
    from services.models import Beneficiary

    Beneficiary.objects.create(
        station=p.station,
        division_id=f"{p.station.division_id}201",
        name="特困对象",
        birth_date=dt.date(1950, 1, 1),
        categories=["tekun_scattered"],
        self_care=self_care,
    )


def test_nantong_care_subsidy_computed_and_no_surplus_left(demo: None) -> None:
    adopt_nantong()
    p = place("320612")
    year = timezone.localdate().year
    for level in ("full", "full", "partial", "none"):
        _tekun(p, level)
    with pytest.raises(ValidationError, match="探视照料补贴标准"):
        fa.care_subsidy_plan(
            acting_user=p.bureau, township=p.station.division, year=year, half=1, due_date=dt.date(year, 6, 30)
        )
    set_rule("3206", "funding.care_subsidy_full", "300")
    set_rule("3206", "funding.care_subsidy_partial", "600")
    set_rule("3206", "funding.care_subsidy_none", "900")
    first = fa.care_subsidy_plan(
        acting_user=p.bureau, township=p.station.division, year=year, half=1, due_date=dt.date(year, 6, 30)
    )
    assert first.amount == Decimal("2100.00")  # 2 × 300 + 600 + 900
    assert first.computation["persons"] == {"full": 2, "partial": 1, "none": 1}
    assert "分散供养特困人员 4 人" in first.basis
    with pytest.raises(ValidationError, match="1 至 2"):
        fa.care_subsidy_plan(
            acting_user=p.bureau, township=p.station.division, year=year, half=3, due_date=dt.date(year, 12, 1)
        )
    second = fa.care_subsidy_plan(
        acting_user=p.bureau, township=p.station.division, year=year, half=2, due_date=dt.date(year, 10, 31)
    )
    today = timezone.localdate()
    # Ring-fenced [004 §3(1)]: the subsidy paid is recorded against the station's care-subsidy line, so that line
    # must exist in an approved budget first.
    with pytest.raises(ValidationError) as refused:
        fa.disbursement_pay(acting_user=p.bureau, disbursement=first, paid_on=today)
    assert "专款专用" in str(refused.value) and "第三部分第（一）项" in str(refused.value)
    assert Disbursement.objects.get(pk=first.pk).status == "planned"
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "100000"},
            {"kind": "operations", "source": "care_subsidy", "amount": "4200"},
        ],
    )
    care_line = budget.lines.get(source="care_subsidy")
    fa.disbursement_pay(acting_user=p.bureau, disbursement=first, paid_on=today)
    assert Disbursement.objects.get(pk=first.pk).line_id == care_line.pk
    run_sweep(kind_keys=FUNDING_KINDS)
    assert not Obligation.objects.filter(kind="funding.care_surplus").exists()  # the year's money not all here
    fa.disbursement_pay(acting_user=p.bureau, disbursement=second, paid_on=today)
    _spend(p, budget, "4000")
    ob = _swept_twice("funding.care_surplus", second, today=dt.date(year, 12, 31))  # the night it falls due
    second.refresh_from_db()
    assert second.surplus == Decimal("200.00")
    assert ob.due_date == dt.date(year, 12, 31) and "200.00" in ob.title and ob.owner_id == p.agency.organisation_id
    assert ob.clause.startswith("《") and "第三部分第（一）项" in ob.clause
    _spend(p, budget, "200")
    run_sweep(kind_keys=FUNDING_KINDS)
    assert _open("funding.care_surplus", second) == 0


def test_tranches_from_the_agreements_schedule(demo: None) -> None:
    from contracts.models import Contract, PaymentInstalment

    p = place("350425")
    contract = Contract.objects.get(stations=p.station)
    with pytest.raises(ValidationError, match="资金拨付安排"):
        fa.tranches_plan(acting_user=p.bureau, contract=contract)
    year = timezone.localdate().year
    PaymentInstalment.objects.create(contract=contract, sequence=1, due_date=dt.date(year, 3, 1), amount="60000")
    PaymentInstalment.objects.create(contract=contract, sequence=2, due_date=dt.date(year, 9, 1), amount="40000")
    rows = fa.tranches_plan(acting_user=p.bureau, contract=contract)
    assert [(r.sequence, r.amount) for r in rows] == [(1, Decimal("60000")), (2, Decimal("40000"))]
    with pytest.raises(ValidationError, match="已全部登记"):
        fa.tranches_plan(acting_user=p.bureau, contract=contract)
    assert Disbursement.objects.filter(contract=contract).count() == 2


def test_the_nightly_check_finds_a_county_over_its_relief_cap(demo: None) -> None:
    p = place("350425")
    fa.relief_base_set(acting_user=p.bureau, division=p.county, year=NEXT_YEAR, amount="1000000")
    fa.budget_approve(acting_user=p.bureau, budget=_relief(p, "50000"))  # exactly the cap: allowed
    run_sweep(kind_keys=["funding.relief_cap"])
    base = ReliefBase.objects.get(division=p.county, year=NEXT_YEAR)
    assert base.used == Decimal("50000.00") and not base.over_cap
    assert not Obligation.objects.filter(kind="funding.relief_cap").exists()
    # The bureau corrects the base downwards after approval: one fen of cap less.
    fa.relief_base_set(acting_user=p.bureau, division=p.county, year=NEXT_YEAR, amount="999999.80")
    run_sweep(kind_keys=["funding.relief_cap"])
    run_sweep(kind_keys=["funding.relief_cap"])
    ob = Obligation.objects.get(kind="funding.relief_cap", object_id=str(base.pk))
    assert ob.owner_id == p.bureau.organisation_id and ob.state != "done"
    assert "使用困难群众救助资金 50000.00 元，超过上限 49999.99 元" in ob.title  # both figures
    # The bureau's relief-base page shows the cap the check applied beside the money used.
    page = Client()
    page.force_login(p.bureau)
    html = page.get("/funding/relief-bases/").content.decode()
    assert "使用上限" in html and "49,999.99" in html and "超过上限" in html
    assert ob.rule_key == "funding.relief_fund_cap" and "第七部分第（二）项" in ob.clause
    fa.relief_base_set(acting_user=p.bureau, division=p.county, year=NEXT_YEAR, amount="1000000")
    run_sweep(kind_keys=["funding.relief_cap"])
    assert _open("funding.relief_cap", base) == 0


@pytest.mark.parametrize(("used", "over"), [("29999.99", False), ("30000.00", False), ("30000.01", True)])
def test_the_nightly_check_of_luzhous_cap_at_the_fen(demo: None, used: str, over: bool) -> None:
    p = place("510502")
    fa.relief_base_set(acting_user=p.bureau, division=p.county, year=NEXT_YEAR, amount="2000000")
    fa.budget_approve(acting_user=p.bureau, budget=_relief(p, used))  # well under 3 % of 2,000,000
    # The bureau corrects last year's relief spending after approval: the cap is now 3 % of 1,000,000 = 30,000.
    fa.relief_base_set(acting_user=p.bureau, division=p.county, year=NEXT_YEAR, amount="1000000")
    run_sweep(kind_keys=["funding.relief_cap"])
    run_sweep(kind_keys=["funding.relief_cap"])
    record = ReliefBase.objects.get(division=p.county, year=NEXT_YEAR)
    assert record.used == Decimal(used) and record.over_cap is over
    assert Obligation.objects.filter(kind="funding.relief_cap", object_id=str(record.pk)).count() == int(over)
    assert _open("funding.relief_cap", record) == int(over)
    if over:
        ob = Obligation.objects.get(kind="funding.relief_cap", object_id=str(record.pk))
        assert "使用困难群众救助资金 30000.01 元，超过上限 30000.00 元" in ob.title
        assert ob.clause.startswith("《") and "第六部分第（二）项" in ob.clause


# --- the receipt's size -----------------------------------------------------------------------------------------


def _pdf_of(size: int) -> bytes:
    """A complete, script-free PDF of exactly ``size`` bytes (padding in one allocation)."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    return head + b"x" * (size - len(head) - len(tail)) + tail


@pytest.mark.parametrize("extra", [0, 1])
def test_the_receipt_size_limit_to_the_byte(settings: Any, extra: int) -> None:
    import io

    from funding.receipts import clean_receipt

    limit = int(settings.FUNDING_RECEIPT_MAX_BYTES)
    assert limit == 10 * 1024 * 1024  # 10 MB, as the README says
    data = _pdf_of(limit + extra)
    assert len(data) == limit + extra
    unsized = io.BytesIO(data)  # a stream that does not tell its size: the read itself stops past the limit
    for upload in (pdf(data), unsized):
        if not extra:
            assert clean_receipt(upload).extension == "pdf"
            continue
        with pytest.raises(ValidationError) as refused:
            clean_receipt(upload)
        assert refused.value.message_dict == {"receipt": ["票据文件不能超过 10 MB。"]}


def test_an_oversized_receipt_saves_nothing(demo: None, private_dir: Path, settings: Any) -> None:
    p = place("350425")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "100"},
            {"kind": "operations", "source": "county", "amount": "100"},
        ],
    )
    with pytest.raises(ValidationError, match="10 MB"):
        fa.expenditure_record(
            acting_user=p.agency,
            budget=budget,
            line=budget.lines.get(kind="operations"),
            category="transport",
            amount="10",
            spent_on=timezone.localdate(),
            payee="某某",
            description="交通",
            receipt=pdf(_pdf_of(int(settings.FUNDING_RECEIPT_MAX_BYTES) + 1)),
        )
    assert not Expenditure.objects.filter(budget=budget).exists()
    assert not list(private_dir.rglob("*.*"))


# --- the relief-fund base through the API -------------------------------------------------------------------------


def test_relief_bases_through_the_api(user_client) -> None:  # type: ignore[no-untyped-def]

    bureau = user_client("datian_bureau")
    url = "/api/v1/funding/relief-bases/"
    created = bureau.post(
        url, {"division": "350425", "year": NEXT_YEAR, "amount": "1000000.00"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["division"], body["year"], body["amount"]) == ("350425", NEXT_YEAR, "1000000.00")
    assert body["basis"] == "当年困难群众救助补助资金年度预算总额"
    again = bureau.post(
        url, {"division": "350425", "year": NEXT_YEAR, "amount": "999999.80"}, content_type="application/json"
    )
    assert again.status_code == 201 and again.json()["id"] == body["id"]  # entered again: replaced
    listed = bureau.get(f"{url}?year={NEXT_YEAR}").json()
    assert [r["amount"] for r in listed["results"]] == ["999999.80"]
    assert bureau.get(f"{url}{body['id']}/").json()["amount"] == "999999.80"
    # Bad input: a Chinese 400 naming the field, nothing saved.
    for data, field in (
        ({"division": "350425", "year": NEXT_YEAR, "amount": "-1"}, "amount"),
        ({"division": "350425", "year": NEXT_YEAR, "amount": "1.001"}, "amount"),
        ({"division": "350425", "year": 1999, "amount": "1"}, "year"),
        ({"division": "35042", "year": NEXT_YEAR, "amount": "1"}, "division"),
    ):
        response = bureau.post(url, data, content_type="application/json")
        assert response.status_code == 400 and field in response.json(), (data, response.content)
    # Outside the bureau's reach, or not a bureau: 404, nothing saved.
    assert (
        bureau.post(
            url, {"division": "350424", "year": NEXT_YEAR, "amount": "1"}, content_type="application/json"
        ).status_code
        == 404
    )
    agency = user_client("agency_sunshine")
    assert (
        agency.post(
            url, {"division": "350425", "year": NEXT_YEAR + 1, "amount": "1"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert agency.get(url).json()["results"] == []
    assert agency.get(f"{url}{body['id']}/").status_code == 404
    assert ReliefBase.objects.filter(year__in=[NEXT_YEAR, NEXT_YEAR + 1]).count() == 1


def test_relief_bases_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    ops = paths["/api/v1/funding/relief-bases/"]
    assert set(ops) >= {"get", "post"} and "/api/v1/funding/relief-bases/{id}/" in paths
    assert ops["post"]["summary"].startswith("填报救助资金计算基数")


# --- the care subsidy's ring fence and the no-surplus rule ----------------------------------------------------------


def _nantong_paid(amounts: tuple[str, ...] = ("2100",)) -> tuple[Any, Budget, list[Disbursement]]:
    """A Nantong township station with an approved budget (a county line and a care-subsidy line of 4,200) and the
    care subsidy of the year paid in ``amounts`` (rates set so that one person at 'full' gets each amount)."""
    adopt_nantong()
    p = place("320612")
    year = timezone.localdate().year
    _tekun(p, "full")
    set_rule("3206", "funding.care_subsidy_partial", "600")
    set_rule("3206", "funding.care_subsidy_none", "900")
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "100000"},
            {"kind": "operations", "source": "care_subsidy", "amount": "4200"},
            {"kind": "operations", "source": "county", "amount": "5000"},
        ],
    )
    paid = []
    for n, amount in enumerate(amounts, start=1):
        set_rule("3206", "funding.care_subsidy_full", amount)
        row = fa.care_subsidy_plan(
            acting_user=p.bureau, township=p.station.division, year=year, half=n, due_date=dt.date(year, 6, 30)
        )
        paid.append(fa.disbursement_pay(acting_user=p.bureau, disbursement=row, paid_on=timezone.localdate()))
    return p, budget, paid


def _record(p: Any, budget: Budget, line: Any, amount: str) -> Expenditure:
    return fa.expenditure_record(
        acting_user=p.agency,
        budget=budget,
        line=line,
        category="transport",
        amount=amount,
        spent_on=timezone.localdate(),
        payee="县客运站",
        description="入户探视交通",
        receipt=pdf(),
    )


def test_the_care_subsidy_line_spends_only_the_subsidy_paid_into_it(demo: None) -> None:
    p, budget, _paid = _nantong_paid(("2100",))
    care = budget.lines.get(source="care_subsidy")
    county = budget.lines.get(kind="operations", source="county")
    assert _record(p, budget, care, "2000.00").status == "recorded"
    assert _record(p, budget, care, "100.00").status == "recorded"  # exactly the 2,100 paid in
    with pytest.raises(ValidationError) as refused:
        _record(p, budget, care, "0.01")  # other spending may not be charged to the ring-fenced line
    text = refused.value.message_dict["amount"][0]
    assert "专款专用" in text and "第三部分第（一）项" in text and "已拨入补贴 2100.00 元" in text
    assert Expenditure.objects.filter(line=care).count() == 2
    # The county's own line is not fenced: spending beyond its money is recorded (and approved only within it).
    assert _record(p, budget, county, "5000.01").status == "recorded"


def test_no_ring_fence_where_the_policy_sets_none(demo: None) -> None:
    p = place("350425")  # Datian: no funding.ring_fenced
    budget = _budget(
        p,
        [
            {"kind": "labour", "source": "county", "amount": "1000"},
            {"kind": "operations", "source": "care_subsidy", "amount": "1000"},
        ],
    )
    assert _record(p, budget, budget.lines.get(source="care_subsidy"), "10.00").status == "recorded"


def test_the_year_end_check_follows_the_no_surplus_rule(demo: None) -> None:
    p, budget, paid = _nantong_paid(("2100", "2100"))
    _record(p, budget, budget.lines.get(source="care_subsidy"), "4000.00")
    set_rule("320612", "funding.no_surplus", False, "测试：本区规定可结转")  # the county lets money remain
    run_sweep(kind_keys=FUNDING_KINDS)
    paid[1].refresh_from_db()
    assert paid[1].surplus is None and not Obligation.objects.filter(kind="funding.care_surplus").exists()
    set_rule("320612", "funding.no_surplus", True, "[004 §3(1)]")
    run_sweep(kind_keys=FUNDING_KINDS)
    paid[1].refresh_from_db()
    assert paid[1].surplus == Decimal("200.00") and _open("funding.care_surplus", paid[1]) == 1


def test_the_care_subsidy_form_offers_the_policys_instalments(user_client, demo: None) -> None:  # type: ignore[no-untyped-def]
    adopt_nantong()
    p = place("320612")
    page = user_client(p.bureau.username).get("/funding/disbursements/").content.decode()
    assert "第 2 次（每年 2 次）" in page and "第 3 次" not in page
    set_rule("320612", "funding.disbursements_per_year", 3, "测试：本区每年三次")
    page = user_client(p.bureau.username).get("/funding/disbursements/").content.decode()
    assert "第 3 次（每年 3 次）" in page and "上半年" not in page
