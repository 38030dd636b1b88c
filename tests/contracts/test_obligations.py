"""The agreement's deadlines in 待办: filing, deployment and task-book confirmations made by the daily sweep,
closed when the action is taken, waived when the agreement ends; confirming is offered only with a task book."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accounts.models import Organisation, User
from contracts.actions import contract_file, contract_terminate, task_book_confirm, task_book_save
from contracts.models import Contract
from core.actions import available_actions
from obligations.models import Obligation
from obligations.sweep import run_sweep
from stations.models import Station

pytestmark = pytest.mark.django_db
DATIAN = "350425"
SECTIONS = {
    "staffing": "驻站社工2名",
    "overview": "概述",
    "needs_analysis": "需求",
    "service_plan": "计划",
    "indicators": "指标",
    "fund_plan": "资金",
}


def _signed(**extra: Any) -> Contract:
    station = Station.objects.filter(division__code__startswith=DATIAN, level=Station.Level.TOWNSHIP).first()
    assert station is not None
    values: dict[str, Any] = {
        "number": "DT-OB-1",
        "buyer": Organisation.objects.get(kind=Organisation.Kind.BUREAU, division_id=DATIAN),
        "division_id": station.division_id,
        "township": Organisation.objects.filter(
            kind=Organisation.Kind.TOWNSHIP, division_id=station.division_id
        ).first(),
        "agency": Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光"),
        "start_date": dt.date(2026, 10, 1),
        "end_date": dt.date(2027, 9, 30),
        "signed_date": dt.date(2026, 9, 28),
        "status": Contract.Status.SIGNED,
    }
    values.update(extra)
    contract = Contract.objects.create(**values)
    contract.stations.add(station)
    return contract


def _obligations(contract: Contract) -> dict[str, Obligation]:
    return {o.kind: o for o in Obligation.objects.filter(object_id=contract.pk, kind__startswith="contract.")}


def test_filing_is_owed_by_the_bureau_across_the_holiday_and_closes_when_filed() -> None:
    contract = _signed()
    run_sweep(today=dt.date(2026, 10, 20), kind_keys=["contract.filing"])
    filing = _obligations(contract)["contract.filing"]
    # 15 working days from 28 September 2026 across National Day with its make-up workdays: 23 October.
    assert filing.due_date == dt.date(2026, 10, 23)
    assert filing.owner_id == contract.buyer_id and filing.notify_division_id == DATIAN[:4]
    assert filing.clause and filing.state in Obligation.OPEN_STATES
    assert filing.link == f"/contracts/{contract.pk}/"
    run_sweep(today=dt.date(2026, 10, 27), kind_keys=["contract.filing"])
    filing.refresh_from_db()
    assert filing.state == Obligation.State.OVERDUE
    bureau = User.objects.get(username="datian_bureau")
    contract_file(acting_user=bureau, contract=contract, filed_date=dt.date(2026, 10, 27), filed_with="三明市民政局")
    run_sweep(today=dt.date(2026, 10, 28), kind_keys=["contract.filing"])
    filing.refresh_from_db()
    assert filing.state == Obligation.State.DONE


def test_a_signing_whose_count_runs_past_the_calendar_makes_no_obligation_yet() -> None:
    contract = _signed(signed_date=dt.date(2026, 12, 20), number="DT-OB-2")
    run_sweep(today=dt.date(2026, 12, 21), kind_keys=["contract.filing"])
    assert "contract.filing" not in _obligations(contract)


def test_deployment_is_owed_by_the_agency_and_waived_when_the_agreement_ends() -> None:
    contract = _signed()
    Station.objects.filter(pk__in=contract.stations.all()).update(status=Station.Status.PLANNED)
    run_sweep(today=dt.date(2026, 10, 2), kind_keys=["contract.deployment"])
    deployment = _obligations(contract)["contract.deployment"]
    assert deployment.owner_id == contract.agency_id and deployment.due_date == dt.date(2026, 10, 28)
    bureau = User.objects.get(username="datian_bureau")
    contract_terminate(acting_user=bureau, contract=contract, terminated_date=dt.date(2026, 10, 10), reason="违约")
    run_sweep(today=dt.date(2026, 10, 11), kind_keys=["contract.deployment"])
    deployment.refresh_from_db()
    assert deployment.state == Obligation.State.WAIVED


def test_task_book_confirmations_are_owed_per_party_and_close_on_confirming() -> None:
    contract = _signed()
    bureau = User.objects.get(username="datian_bureau")
    assert "contracts.task_book_confirm" not in {a["action"] for a in available_actions(bureau, contract)}
    run_sweep(today=dt.date(2026, 9, 29), kind_keys=["contract.task_book.county"])
    assert "contract.task_book.county" not in _obligations(contract)  # nothing to confirm without a task book
    task_book_save(acting_user=bureau, contract=contract, sections=SECTIONS)
    contract = Contract.objects.get(pk=contract.pk)
    assert "contracts.task_book_confirm" in {a["action"] for a in available_actions(bureau, contract)}
    run_sweep(today=dt.date(2026, 9, 29), kind_keys=["contract.task_book.county"])
    county = _obligations(contract)["contract.task_book.county"]
    assert county.owner_id == contract.buyer_id and county.due_date == contract.start_date
    task_book_confirm(acting_user=bureau, contract=contract)
    run_sweep(today=dt.date(2026, 9, 30), kind_keys=["contract.task_book.county"])
    county.refresh_from_db()
    assert county.state == Obligation.State.DONE


def test_the_page_says_when_the_agreement_runs_past_the_calendar(user_client) -> None:  # type: ignore[no-untyped-def]
    from workdays.models import CalendarYear

    contract = _signed(number="DT-OB-3")
    last = max(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    Contract.objects.filter(pk=contract.pk).update(end_date=dt.date(last + 1, 9, 30))
    body = user_client("datian_bureau").get(f"/contracts/{contract.pk}/").content.decode()
    assert f"协议期限延伸至{last + 1}年，工作日历尚未覆盖该年度" in body


def test_the_renewal_decision_is_owed_before_the_term_ends_and_closes_when_decided() -> None:
    from evaluation.actions import renew
    from evaluation.models import Renewal

    cycle = {"cycle_start": dt.date(2026, 10, 1), "cycle_end": dt.date(2029, 9, 30)}
    term = _signed(number="DT-RN-1", status=Contract.Status.ACTIVE, **cycle)
    last = _signed(
        number="DT-RN-2",
        status=Contract.Status.ACTIVE,
        cycle_start=dt.date(2026, 10, 1),
        cycle_end=dt.date(2027, 9, 30),
    )  # the cycle's last term: nothing to renew within it
    no_cycle = _signed(number="DT-RN-3", status=Contract.Status.ACTIVE)
    ended = _signed(number="DT-RN-4", status=Contract.Status.ACTIVE, **cycle)
    run_sweep(today=dt.date(2027, 9, 20), kind_keys=["contract.renewal"])
    owed = _obligations(term)["contract.renewal"]
    assert owed.due_date == dt.date(2027, 9, 30) and owed.owner_id == term.buyer_id
    assert owed.rule_key == "contract.renewal_evaluation" and owed.clause.endswith("第五部分第（五）项")
    assert owed.link == "/evaluations/renewals/" and owed.state in Obligation.OPEN_STATES
    assert "contract.renewal" not in _obligations(last) and "contract.renewal" not in _obligations(no_cycle)
    assert "contract.renewal" in _obligations(ended)
    bureau = User.objects.get(username="datian_bureau")
    # The year's evaluation failed (recorded by hand, on its report): the gate refuses; procured again.
    from tests.evaluation.support import with_report

    with_report(term)
    decision = renew(
        acting_user=bureau, contract=term, signed_date=dt.date(2026, 10, 1), passed_by_hand=False, reason="评估报告"
    )
    assert decision.outcome == Renewal.Outcome.REPROCURE
    contract_terminate(acting_user=bureau, contract=ended, terminated_date=dt.date(2027, 3, 1), reason="违约")
    run_sweep(today=dt.date(2027, 9, 21), kind_keys=["contract.renewal"])
    assert _obligations(term)["contract.renewal"].state == Obligation.State.DONE
    assert _obligations(ended)["contract.renewal"].state == Obligation.State.WAIVED
