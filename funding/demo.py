"""Demo rows of the funding app (called once from home.demo.load_demo), written through the actions as the bureau
and the agency would: the county's relief-fund base for the year, this year's budgets of two township stations
(Datian's plan sets no standard per station, so the bureau fills the lines from the agreement's yearly amount),
spending with receipts at the sunshine station, and the agreement's tranches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone


def load(county_code: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from contracts.demo import DEMO_PDF
    from contracts.models import Contract, PaymentInstalment
    from stations.models import Division, Station

    from . import actions
    from .models import Budget

    bureau = User.objects.filter(username="datian_bureau").first()
    agency = User.objects.filter(username="agency_sunshine").first()
    if bureau is None or agency is None or Budget.objects.exists():
        return
    today = timezone.localdate()
    year = today.year
    actions.relief_base_set(
        acting_user=bureau,
        division=Division.objects.get(code=county_code),
        year=year,
        amount="3000000.00",
        document=f"{year}年困难群众救助补助资金预算安排（演示）",
    )
    towns = [
        u.organisation.division_id
        for u in User.objects.filter(username__in=["junxi_town", "shipai_town"])
        if u.organisation is not None
    ]
    budgets = {}
    for code in sorted(towns):
        station = Station.objects.filter(division_id=code, level=Station.Level.TOWNSHIP).first()
        contract = Contract.objects.filter(stations=station, status=Contract.Status.ACTIVE).order_by("pk").first()
        if station is None or contract is None or contract.amount_per_year is None:
            continue
        amount = contract.amount_per_year
        budget = actions.budget_propose(acting_user=bureau, station=station, year=year)
        actions.budget_update(
            acting_user=bureau,
            budget=budget,
            lines=[
                {"kind": "labour", "category": "labour", "source": "county", "amount": str(amount - Decimal(80000))},
                {"kind": "operations", "source": "county", "amount": "70000.00", "note": "办公、交通、宣传等"},
                {"kind": "operations", "source": "relief", "amount": "10000.00", "note": "困难群众救助资金安排"},
            ],
        )
        budgets[code] = actions.budget_approve(acting_user=bureau, budget=budget)
        if not PaymentInstalment.objects.filter(contract=contract).exists():
            PaymentInstalment.objects.bulk_create(
                [
                    PaymentInstalment(
                        contract=contract,
                        sequence=1,
                        due_date=dt.date(year, 1, 31),
                        amount=amount / 2,
                        condition="协议签订并报备后",
                    ),
                    PaymentInstalment(
                        contract=contract,
                        sequence=2,
                        due_date=dt.date(year, 7, 31),
                        amount=amount / 2,
                        condition="中期评估合格后",
                    ),
                ]
            )
        for tranche in actions.tranches_plan(acting_user=bureau, contract=contract):
            if tranche.due_date <= today:
                actions.disbursement_pay(acting_user=bureau, disbursement=tranche, paid_on=tranche.due_date)
    sunshine = budgets.get(min(towns)) if towns else None
    if sunshine is None:
        return
    entries = [
        ("labour", "labour", "18600.00", "驻站社工工资及社会保险（上月）", "阳光社工中心"),
        ("operations", "transport", "326.50", "入户探访交通费", "大田县城乡客运站"),
        ("operations", "printing", "1280.00", "政策宣传册印制", "大田县彩印厂"),
    ]
    rows = []
    for n, (kind, category, amount, description, payee) in enumerate(entries):
        line = sunshine.lines.filter(kind=kind, source="county").first()
        if line is None:
            continue
        rows.append(
            actions.expenditure_record(
                acting_user=agency,
                budget=sunshine,
                line=line,
                category=category,
                amount=amount,
                spent_on=max(dt.date(year, 1, 1), today - dt.timedelta(days=20 - 5 * n)),
                payee=payee,
                description=description,
                receipt=SimpleUploadedFile("票据.pdf", DEMO_PDF, content_type="application/pdf"),
            )
        )
    for row in rows[:2]:
        actions.expenditure_approve(acting_user=bureau, expenditure=row)
