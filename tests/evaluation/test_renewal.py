"""The renewal gate (issue 8 item 5, issue 11 item 6): a pass signs the next yearly term through contracts'
own actions; a fail under Datian's gate refuses with a Chinese finding naming the rule and clause and marks the
project for procurement again; without an evaluation the bureau records the outcome by hand with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from contracts.models import Contract
from core.models import AuditLog
from evaluation import actions
from evaluation.models import Renewal

from .support import api, contract, finalized, user, with_report

pytestmark = pytest.mark.django_db


def _renew(c: Contract, **kwargs: object) -> Renewal:
    return actions.renew(acting_user=user("datian_bureau"), contract=c, signed_date=timezone.localdate(), **kwargs)  # type: ignore[arg-type]


def test_a_pass_signs_the_next_term(demo: None) -> None:
    c = contract()
    finalized(passed=True, c=c)
    renewal = _renew(c)
    assert renewal.outcome == Renewal.Outcome.RENEWED and not renewal.by_hand
    following = renewal.next
    assert following is not None
    assert following.status == Contract.Status.SIGNED
    assert (following.start_date, following.end_date) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert (following.agency_id, following.township_id, following.amount_per_year) == (
        c.agency_id,
        c.township_id,
        c.amount_per_year,
    )
    assert set(following.stations.values_list("pk", flat=True)) == set(c.stations.values_list("pk", flat=True))
    assert renewal.findings[0]["rule_key"] == "contract.renewal_evaluation"
    assert renewal.findings[0]["outcome"] == "pass"
    # contracts' own create and sign actions were taken (their audit rows), then the decision itself.
    events = set(
        AuditLog.objects.filter(object_id__in=[str(following.pk), str(renewal.pk)]).values_list("event", flat=True)
    )
    assert {"create", "sign", "renew"} <= events
    with pytest.raises(ValidationError, match="已作出续签决定"):
        _renew(c)


def test_a_fail_under_the_gate_refuses_and_marks_procurement_again(user_client) -> None:  # type: ignore[no-untyped-def]
    c = contract()
    finalized(passed=False, c=c)
    before = Contract.objects.count()
    response = api(
        user_client("datian_bureau"), "renewals/", {"contract": c.pk, "signed_date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 409, response.content
    data = response.json()
    assert data["outcome"] == "reprocure" and data["next"] is None
    (finding,) = data["findings"]
    assert finding["rule_key"] == "contract.renewal_evaluation"
    assert finding["clause"] == "[000 §5(5)]"
    assert finding["outcome"] == "fail" and finding["blocking"] is True
    assert "不予续签" in finding["message"] and "重新确定承接机构" in finding["message"]
    assert Contract.objects.count() == before
    assert Renewal.objects.get(previous=c).outcome == Renewal.Outcome.REPROCURE
    page = user_client("datian_bureau").get("/evaluations/renewals/").content.decode()
    assert "不予续签，须重新采购" in page


def test_without_an_evaluation_the_bureau_records_the_outcome_by_hand(demo: None) -> None:
    c = contract()
    with pytest.raises(ValidationError, match="手工录入"):
        _renew(c)
    with pytest.raises(ValidationError, match="理由"):
        _renew(c, passed_by_hand=True)
    # The outcome rests on its document: without the year's evaluation report uploaded, nothing is recorded.
    with pytest.raises(ValidationError, match="须先在协议页面上传该年度的评估报告"):
        _renew(c, passed_by_hand=True, reason="省厅委托评估报告（闽民评〔2026〕8号）合格")
    assert not Renewal.objects.filter(previous=c).exists()
    with_report(c)
    renewal = _renew(c, passed_by_hand=True, reason="省厅委托评估报告（闽民评〔2026〕8号）合格")
    assert renewal.by_hand and renewal.outcome == Renewal.Outcome.RENEWED and renewal.next is not None
    assert "手工录入" in renewal.findings[0]["message"]
    assert renewal.findings[0]["facts"]["document"]["title"] == "2026年度评估报告"
    row = AuditLog.objects.filter(event="renew").order_by("-pk").first()
    assert row is not None and row.changes["document"] == "2026年度评估报告"
    failed = with_report(contract())
    refused = _renew(failed, passed_by_hand=False, reason="评估报告不合格")
    assert refused.outcome == Renewal.Outcome.REPROCURE and refused.next is None


def test_by_hand_is_refused_when_a_result_exists_and_other_roles_cannot_renew(demo: None) -> None:
    c = contract()
    finalized(passed=True, c=c)
    with pytest.raises(ValidationError, match="不能手工录入"):
        _renew(c, passed_by_hand=False, reason="x")
    for name in ("junxi_town", "agency_sunshine", "evaluator"):
        with pytest.raises(Http404):
            actions.renew(acting_user=user(name), contract=c, signed_date=timezone.localdate())
    draft = contract(status=Contract.Status.DRAFT)
    with pytest.raises(Exception, match="不能续签下一年度协议"):
        _renew(draft, passed_by_hand=True, reason="x")


def test_the_contract_api_says_whether_renewal_is_open(user_client) -> None:  # type: ignore[no-untyped-def]
    c = contract()
    data = user_client("datian_bureau").get(f"/api/v1/contracts/{c.pk}/").json()
    assert "evaluation.renew" in {a["action"] for a in data["allowed_actions"]}
    town = user_client("junxi_town").get(f"/api/v1/contracts/{c.pk}/").json()
    assert "evaluation.renew" not in {a["action"] for a in town["allowed_actions"]}


def test_the_renewal_page_by_role(user_client) -> None:  # type: ignore[no-untyped-def]
    c = with_report(contract())
    bureau = user_client("datian_bureau")
    page = bureau.get("/evaluations/renewals/").content.decode()
    assert f'action="/evaluations/renewals/{c.pk}/"' in page and "须手工录入评估结论" in page
    # The township sees decisions, never the forms; the page of another role's form answers 404.
    town = user_client("junxi_town")
    assert f"/evaluations/renewals/{c.pk}/" not in town.get("/evaluations/renewals/").content.decode()
    assert town.post(f"/evaluations/renewals/{c.pk}/", {"signed_date": "2026-01-01"}).status_code == 404
    # By hand without a reason: refused with a Chinese message, nothing saved.
    today = timezone.localdate().isoformat()
    response = bureau.post(
        f"/evaluations/renewals/{c.pk}/", {"signed_date": today, "passed_by_hand": "fail"}, follow=True
    )
    assert "须填写理由" in response.content.decode()
    assert not Renewal.objects.filter(previous=c).exists()
    response = bureau.post(
        f"/evaluations/renewals/{c.pk}/",
        {"signed_date": today, "passed_by_hand": "fail", "reason": "评估报告不合格"},
        follow=True,
    )
    body = response.content.decode()
    assert "不予续签" in body and "评估结果与续签的关系" in body
    assert Renewal.objects.get(previous=c).outcome == Renewal.Outcome.REPROCURE


def test_the_next_term_carries_the_amended_stations_and_amount(demo: None) -> None:
    from decimal import Decimal

    from contracts.models import Amendment
    from stations.models import Station

    c = contract()
    extra = Station.objects.filter(division__code__startswith=c.division_id).exclude(pk__in=c.stations.all()).first()
    assert extra is not None
    amendment = Amendment.objects.create(
        contract=c,
        signed_date=dt.date(2026, 6, 1),
        effective_date=dt.date(2026, 7, 1),
        reason="增加村级站点",
        amount_per_year=Decimal("280000.00"),
    )
    amendment.stations_added.add(extra)
    finalized(passed=True, c=c)
    following = _renew(c).next
    assert following is not None
    assert extra.pk in set(following.stations.values_list("pk", flat=True))
    assert following.amount_per_year == Decimal("280000.00")
