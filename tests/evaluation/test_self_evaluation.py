"""The agency's self-evaluation comes first: the agreement's agency submits it (on the template, indicator by
indicator with comments, or one score), only then do the parties score, and they see it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import AuditLog
from evaluation.models import Evaluation, PartyScore, SelfEvaluation
from tests.evaluation.support import api, evaluation, template, user

pytestmark = pytest.mark.django_db

SELF = Evaluation.State.SELF


def _ready_template() -> object:
    t = template()
    for n, ind in enumerate(t.indicators.order_by("position"), start=1):  # type: ignore[attr-defined]
        ind.max_score = Decimal("20") if n % 2 else Decimal("30")  # 20 + 30 + 20 + 30 = 100 (baisha: 4 aspects)
        ind.save(update_fields=["max_score"])
    return t


def test_parties_wait_for_the_self_evaluation_then_see_it(user_client) -> None:  # type: ignore[no-untyped-def]
    e = evaluation(state=SELF)
    evaluator = user_client("evaluator")
    # Before the agency has submitted, no party may score (the evaluation is not open for scores yet).
    refused = api(evaluator, f"evaluations/{e.pk}/scores/", {"score": "80"})
    assert refused.status_code == 404
    assert not PartyScore.objects.filter(evaluation=e).exists()
    listed = evaluator.get(f"/api/v1/evaluations/{e.pk}/").json()
    assert listed["state"] == "self" and listed["self_evaluation"] is None
    assert not any(a["action"] == "evaluation.score" for a in listed["allowed_actions"])

    agency = user_client("agency_sunshine")
    mine = agency.get(f"/api/v1/evaluations/{e.pk}/").json()
    assert [a["action"] for a in mine["allowed_actions"]] == ["evaluation.self_evaluate"]
    response = api(agency, f"evaluations/{e.pk}/self-evaluation/", {"score": "88.5", "summary": "全年服务按计划完成。"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "open"
    assert body["self_evaluation"]["score"] == "88.50"
    row = SelfEvaluation.objects.get(evaluation=e)
    assert row.submitted_by == user("agency_sunshine") and row.agency_id == e.contract.agency_id
    log = AuditLog.objects.filter(object_type="evaluation.Evaluation", object_id=str(e.pk)).latest("pk")
    assert log.event == "self_evaluate" and log.changes["self_score"] == "88.50"

    # Every party, and the bureau, sees it; the evaluator may now score.
    for name in ("evaluator", "junxi_town", "datian_bureau"):
        seen = user_client(name).get(f"/api/v1/evaluations/{e.pk}/").json()["self_evaluation"]
        assert seen["summary"] == "全年服务按计划完成。" and seen["score"] == "88.50", name
    page = user_client("evaluator").get(f"/evaluations/{e.pk}/").content.decode()
    assert "自评得分 88.50 分" in page and "全年服务按计划完成。" in page
    assert api(evaluator, f"evaluations/{e.pk}/scores/", {"score": "80"}).status_code == 200

    # Submitted once: a second submission is refused and changes nothing.
    again = api(agency, f"evaluations/{e.pk}/self-evaluation/", {"score": "99", "summary": "改"})
    assert again.status_code == 404
    assert SelfEvaluation.objects.get(evaluation=e).score == Decimal("88.50")


def test_self_evaluation_on_the_template_with_comments(user_client) -> None:  # type: ignore[no-untyped-def]
    t = _ready_template()
    e = evaluation(state=SELF)
    ids = list(t.indicators.order_by("position").values_list("pk", flat=True))  # type: ignore[attr-defined]
    scores = {str(ids[0]): "18", str(ids[1]): "27.5", str(ids[2]): "15", str(ids[3]): "30"}
    agency = user_client("agency_sunshine")
    # One score where the bureau has a template is refused with the reason, nothing saved.
    plain = api(agency, f"evaluations/{e.pk}/self-evaluation/", {"score": "90", "summary": "总结"})
    assert plain.status_code == 400 and "按指标逐项自评" in plain.content.decode()
    # An indicator above its maximum: refused, nothing saved, the evaluation still waits.
    over = api(
        agency,
        f"evaluations/{e.pk}/self-evaluation/",
        {"indicators": {**scores, str(ids[0]): "21"}, "summary": "总结"},
    )
    assert over.status_code == 400 and "超过该指标满分" in over.content.decode()
    # No summary: refused.
    blank = api(agency, f"evaluations/{e.pk}/self-evaluation/", {"indicators": scores, "summary": " "})
    assert blank.status_code == 400
    assert not SelfEvaluation.objects.filter(evaluation=e).exists()
    assert Evaluation.objects.get(pk=e.pk).state == SELF

    response = api(
        agency,
        f"evaluations/{e.pk}/self-evaluation/",
        {"indicators": scores, "comments": {str(ids[1]): "开展小组活动 24 次"}, "summary": "按四个方面自评。"},
    )
    assert response.status_code == 200, response.content
    seen = user_client("evaluator").get(f"/api/v1/evaluations/{e.pk}/").json()["self_evaluation"]
    assert seen["score"] == "90.50"  # 18 + 27.5 + 15 + 30 of 100
    assert [i["score"] for i in seen["indicators"]] == ["18.00", "27.50", "15.00", "30.00"]
    assert seen["indicators"][1]["comment"] == "开展小组活动 24 次"
    assert seen["indicators"][0]["comment"] == ""
    assert len(seen["aspects"]) == 4


def test_only_the_agreements_agency_submits(user_client) -> None:  # type: ignore[no-untyped-def]
    e = evaluation(state=SELF)
    body = {"score": "80", "summary": "总结"}
    # Another agency does not even see it; the township and the bureau are not the agency.
    for name in ("agency_harmony", "junxi_town", "datian_bureau", "evaluator"):
        assert api(user_client(name), f"evaluations/{e.pk}/self-evaluation/", body).status_code == 404, name
    assert not SelfEvaluation.objects.filter(evaluation=e).exists()


def test_self_evaluation_page(user_client) -> None:  # type: ignore[no-untyped-def]
    e = evaluation(state=SELF)
    agency = user_client("agency_sunshine")
    page = agency.get(f"/evaluations/{e.pk}/").content.decode()
    assert "提交机构自评" in page and f'action="/evaluations/{e.pk}/self/"' in page
    assert "提交机构自评" not in user_client("evaluator").get(f"/evaluations/{e.pk}/").content.decode()
    # Bad input: a Chinese message, nothing saved.
    bad = agency.post(f"/evaluations/{e.pk}/self/", {"score": "101", "summary": "总结"}, follow=True)
    assert "0 至 100 分之间" in bad.content.decode()
    assert not SelfEvaluation.objects.filter(evaluation=e).exists()
    ok = agency.post(f"/evaluations/{e.pk}/self/", {"score": "86", "summary": "按协议完成服务。"}, follow=True)
    assert "已提交机构自评" in ok.content.decode()
    assert Evaluation.objects.get(pk=e.pk).state == Evaluation.State.OPEN
    assert SelfEvaluation.objects.get(evaluation=e).score == Decimal("86.00")
