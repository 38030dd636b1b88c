"""Evaluation deadlines as obligations: each stage the county's policy asks for, owed by the buyer bureau; the
agency's self-evaluation; each named party's score — raised, reminded and flagged by the daily sweep once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from contracts.models import Contract
from evaluation.models import Evaluation, PartyScore, Renewal
from obligations.models import Notification, Obligation, Reminder
from obligations.registry import get
from obligations.sweep import run_sweep, sweep_kind
from policies.models import Policy, PolicyRule
from tests.evaluation.support import DATIAN, contract, evaluation, evaluator_org, junxi, scored, user

pytestmark = pytest.mark.django_db

STAGE_KINDS = ["evaluation.due.midterm", "evaluation.due.final"]
PARTY_KINDS = ["evaluation.score.third_party", "evaluation.score.county_bureau", "evaluation.score.township"]


def _obligations(kind: str, obj: object) -> list[Obligation]:
    return list(Obligation.objects.filter(kind=kind, object_id=obj.pk))  # type: ignore[attr-defined]


def _baisha_stages() -> None:
    """Baisha's two evaluations a service year, put on Datian's policy (its own plan asks one, at year end)."""
    PolicyRule.objects.filter(policy__division_id=DATIAN, key="evaluation.matrix").update(
        value={"parties": ["third_party", "county_bureau", "township"], "stages": ["midterm", "final"]},
        clause="[002 §7(2)]",
    )


def test_datians_yearly_evaluation_is_owed_by_the_bureau_and_reminded_once() -> None:
    c = contract()  # 2026-01-01 – 2026-12-31, Datian: "在年底组织开展绩效评价" [000 §5(5)]
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=STAGE_KINDS)
    assert _obligations("evaluation.due.midterm", c) == []  # Datian asks no mid-term evaluation
    (final,) = _obligations("evaluation.due.final", c)
    assert final.due_date == dt.date(2026, 12, 31)  # the service year's last day, a Thursday
    assert final.owner == c.buyer and final.state == Obligation.State.UPCOMING
    assert (final.rule_key, final.clause) == ("evaluation.matrix", "[000 §5(5)]")
    assert "2026年度末期评估待组织" in final.title and final.link == "/evaluations/"

    # Due soon, then overdue: each stage reminds once, however often the sweep runs.
    for day in (dt.date(2026, 12, 28), dt.date(2026, 12, 28), dt.date(2027, 1, 4), dt.date(2027, 1, 5)):
        run_sweep(today=day, kind_keys=STAGE_KINDS)
    final.refresh_from_db()
    assert final.state == Obligation.State.OVERDUE
    assert sorted(Reminder.objects.filter(obligation=final).values_list("stage", flat=True)) == ["due_soon", "overdue"]
    bureau_users = list(c.buyer.users.filter(is_active=True))
    assert bureau_users
    assert Notification.objects.filter(obligation=final, recipient=bureau_users[0]).count() == 2

    # The result fixed: done.
    e = scored(evaluation(c))
    Evaluation.objects.filter(pk=e.pk).update(state=Evaluation.State.FINAL, total=Decimal("86"), passed=True)
    run_sweep(today=dt.date(2027, 1, 6), kind_keys=STAGE_KINDS)
    final.refresh_from_db()
    assert final.state == Obligation.State.DONE


def test_baishas_two_stages_and_a_decided_renewal() -> None:
    _baisha_stages()
    c = contract()
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=STAGE_KINDS)
    (mid,) = _obligations("evaluation.due.midterm", c)
    assert mid.due_date == dt.date(2026, 6, 30) and mid.clause == "[002 §7(2)]"
    assert _obligations("evaluation.due.final", c)[0].due_date == dt.date(2026, 12, 31)
    # A mid-term evaluation opened but not yet finalised does not settle it; a final one of another stage neither.
    evaluation(c, stage=Evaluation.Stage.MIDTERM)
    run_sweep(today=dt.date(2026, 3, 3), kind_keys=STAGE_KINDS)
    mid.refresh_from_db()
    assert mid.is_open
    # The term expires; the renewal is decided (by hand): nothing is owed any more.
    Contract.objects.filter(pk=c.pk).update(status=Contract.Status.EXPIRED)
    Renewal.objects.create(
        previous=c,
        service_year=2026,
        by_hand=True,
        passed=True,
        reason="测试",
        outcome=Renewal.Outcome.RENEWED,
        decided_by=user("datian_bureau"),
    )
    run_sweep(today=dt.date(2027, 1, 4), kind_keys=STAGE_KINDS)
    assert {o.state for o in Obligation.objects.filter(kind__in=STAGE_KINDS, object_id=c.pk)} == {"waived"}


def test_an_expired_term_with_a_next_term_owes_no_evaluation() -> None:
    harmony = Organisation.objects.get(name__contains="和谐", kind=Organisation.Kind.AGENCY)
    old = contract(year=2025)
    Contract.objects.filter(pk=old.pk).update(agency=harmony)  # a project of its own (the demo's is 阳光's)
    run_sweep(today=dt.date(2025, 3, 3), kind_keys=STAGE_KINDS)
    assert _obligations("evaluation.due.final", old)[0].is_open
    Contract.objects.filter(pk=old.pk).update(status=Contract.Status.EXPIRED)
    run_sweep(today=dt.date(2026, 1, 5), kind_keys=STAGE_KINDS)
    assert _obligations("evaluation.due.final", old)[0].state == Obligation.State.OVERDUE  # renewal undecided
    following = contract(year=2026)  # the next term of the same project, signed without the gate
    Contract.objects.filter(pk=following.pk).update(agency=harmony)
    run_sweep(today=dt.date(2026, 1, 6), kind_keys=STAGE_KINDS)
    assert _obligations("evaluation.due.final", old)[0].state == Obligation.State.WAIVED


def test_the_self_evaluation_then_each_partys_score_is_owed() -> None:
    _baisha_stages()
    e = evaluation(state=Evaluation.State.SELF)
    keys = ["evaluation.self_evaluation", *PARTY_KINDS]
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=keys)
    (own,) = _obligations("evaluation.self_evaluation", e)
    assert own.owner_id == e.contract.agency_id and own.due_date == dt.date(2026, 12, 31)
    assert "待承接机构提交自评" in own.title and own.link == f"/evaluations/{e.pk}/"
    assert not Obligation.objects.filter(kind__in=PARTY_KINDS, object_id=e.pk).exists()  # nobody scores yet

    Evaluation.objects.filter(pk=e.pk).update(state=Evaluation.State.OPEN)  # the agency submitted
    run_sweep(today=dt.date(2026, 3, 3), kind_keys=keys)
    own.refresh_from_db()
    assert own.state == Obligation.State.DONE
    owners = {o.kind: o.owner_id for o in Obligation.objects.filter(kind__in=PARTY_KINDS, object_id=e.pk)}
    assert owners == {
        "evaluation.score.third_party": evaluator_org().pk,
        "evaluation.score.county_bureau": e.contract.buyer_id,
        "evaluation.score.township": junxi().pk,
    }
    u = user("evaluator")
    assert u.organisation is not None
    PartyScore.objects.create(
        evaluation=e, party="third_party", score=Decimal("80"), organisation=u.organisation, entered_by=u
    )
    run_sweep(today=dt.date(2026, 3, 4), kind_keys=keys)
    states = {o.kind: o.state for o in Obligation.objects.filter(kind__in=PARTY_KINDS, object_id=e.pk)}
    assert states["evaluation.score.third_party"] == "done"
    assert states["evaluation.score.township"] == "upcoming"


def test_only_the_parties_the_policy_names_owe_a_score() -> None:
    """泸州's matrix names the county bureau alone [001 annex 2 item 17(4)]."""
    PolicyRule.objects.filter(policy__division_id=DATIAN, key="evaluation.matrix").update(
        value={"parties": ["county_bureau"], "stages": ["self", "midterm", "final"]}, clause="[001 annex 2 item 17(4)]"
    )
    e = evaluation()
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=PARTY_KINDS)
    kinds = set(Obligation.objects.filter(kind__in=PARTY_KINDS, object_id=e.pk).values_list("kind", "clause"))
    assert kinds == {("evaluation.score.county_bureau", "[001 annex 2 item 17(4)]")}


def test_a_county_without_evaluation_rules_owes_nothing() -> None:
    PolicyRule.objects.filter(policy__division_id=DATIAN, key__in=["evaluation.matrix", "evaluation.per_year"]).delete()
    assert not PolicyRule.objects.filter(
        key__in=["evaluation.matrix", "evaluation.per_year"], policy__division_id__in=["35", "3504"]
    ).exists()
    c = contract()
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=STAGE_KINDS)
    assert not Obligation.objects.filter(kind__in=STAGE_KINDS, object_id=c.pk).exists()
    assert Policy.objects.filter(division_id=DATIAN).exists()


@pytest.mark.parametrize("key", ["evaluation.due.final", "evaluation.score.township"])
def test_the_sweep_reads_evaluations_in_a_fixed_number_of_queries(key: str) -> None:
    from django.utils import timezone

    from core.system import system_actor

    _baisha_stages()
    kind = get(key)
    assert kind is not None

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            sweep_kind(kind, actor=system_actor(), today=dt.date(2026, 3, 2), now=timezone.now())
        return len(ctx.captured_queries)

    evaluation(contract(year=2026))
    count()  # content types and other caches warmed
    evaluation(contract(year=2026))
    few = count()  # one new evaluation (and term) to raise
    for year in (2026, 2027, 2028):  # none due yet on 2 March 2026: no reminder step in either run
        for _ in range(2):
            evaluation(contract(year=year))
    assert count() == few  # six new ones, over three different terms
