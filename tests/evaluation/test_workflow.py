"""Evaluations end to end: the bureau opens one and assigns the evaluator, each party scores only its share,
the bureau sets a pass mark where the policy has none and fixes the result by the same code as the score API;
an evaluator is refused an evaluation it is not assigned (issue 11 items 5, 9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Organisation
from evaluation import actions
from evaluation.models import Evaluation, PartyScore, PassMark

from .support import DATIAN, api, contract, datian_weights, evaluation, evaluator_org, scored, user

pytestmark = pytest.mark.django_db


def test_the_whole_evaluation(user_client) -> None:  # type: ignore[no-untyped-def]
    c = contract()
    bureau = user_client("datian_bureau")
    response = api(
        bureau,
        "evaluations/",
        {"contract": c.pk, "service_year": 2026, "stage": "final", "evaluator": evaluator_org().pk},
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    # A new evaluation starts with the agency's self-evaluation: nobody scores or finalises yet.
    assert response.json()["state"] == "self" and response.json()["allowed_actions"] == []
    ev_client = user_client("evaluator")
    assert api(ev_client, f"evaluations/{pk}/scores/", {"score": "85"}).status_code == 404
    agency = user_client("agency_sunshine")
    submitted = api(agency, f"evaluations/{pk}/self-evaluation/", {"score": "92", "summary": "按协议完成全年服务。"})
    assert submitted.status_code == 200, submitted.content
    opened = bureau.get(f"/api/v1/evaluations/{pk}/").json()
    assert {a["action"] for a in opened["allowed_actions"]} == {"evaluation.score", "evaluation.finalize"}

    # The evaluator sees its assigned evaluation and may score it; another agency sees nothing.
    listed = ev_client.get("/api/v1/evaluations/").json()["results"]
    assert pk in [row["id"] for row in listed]
    assert user_client("agency_harmony").get(f"/api/v1/evaluations/{pk}/").status_code == 404
    assert api(ev_client, f"evaluations/{pk}/scores/", {"score": "85"}).status_code == 200
    town = user_client("junxi_town")
    data = api(town, f"evaluations/{pk}/scores/", {"score": "80.05"}).json()
    # While open, the township sees its own share only.
    assert [s["party"] for s in data["scores"]] == ["township"] and data["my_party"] == "township"
    assert api(bureau, f"evaluations/{pk}/scores/", {"score": "90"}).status_code == 200
    assert api(town, f"evaluations/{pk}/scores/", {"score": "100.5"}).status_code == 400

    # Datian's plan sets no weights: no result, and the finding says the policy is silent.
    refused = api(bureau, f"evaluations/{pk}/finalize/")
    assert refused.status_code == 400 and "未规定" in refused.content.decode()
    datian_weights()
    # No pass mark in the policy: the bureau must set one first.
    refused = api(bureau, f"evaluations/{pk}/finalize/")
    assert refused.status_code == 400 and "合格分数线" in refused.content.decode()
    assert api(bureau, "evaluations/pass-mark/", {"mark": "60", "basis": "局务会议纪要〔2026〕3号"}).status_code == 200
    mark = PassMark.objects.get(bureau=user("datian_bureau").organisation)
    assert mark.set_by == user("datian_bureau") and mark.set_at is not None

    done = api(bureau, f"evaluations/{pk}/finalize/").json()
    assert done["state"] == "final" and done["total"] == "86.01" and done["passed"] is True
    keys = [f["rule_key"] for f in done["findings"]]
    assert keys == ["evaluation.weights", "evaluation.pass_mark"]
    assert "局务会议纪要" in done["findings"][1]["message"]
    # The same code as the score question answers the same total.
    question = api(
        bureau,
        "evaluations/score/",
        {"division": DATIAN, "scores": {"third_party": "85", "county_bureau": "90", "township": "80.05"}},
    ).json()
    assert question["total"] == done["total"]
    # A fixed result refuses more scores; now every party sees every share.
    assert api(ev_client, f"evaluations/{pk}/scores/", {"score": "70"}).status_code in (400, 404)
    assert len(town.get(f"/api/v1/evaluations/{pk}/").json()["scores"]) == 3


def test_an_evaluator_is_refused_an_evaluation_it_is_not_assigned(user_client) -> None:  # type: ignore[no-untyped-def]
    other = Organisation.objects.create(kind=Organisation.Kind.EVALUATOR, name="另一评估机构", division_id="3504")
    e = evaluation(evaluator=other)
    client = user_client("evaluator")
    assert client.get(f"/api/v1/evaluations/{e.pk}/").status_code == 404
    assert client.get(f"/evaluations/{e.pk}/").status_code == 404
    assert e.pk not in [r["id"] for r in client.get("/api/v1/evaluations/").json()["results"]]
    assert api(client, f"evaluations/{e.pk}/scores/", {"score": "80"}).status_code == 404
    with pytest.raises((PermissionDenied, Http404)):
        actions.evaluation_score(acting_user=user("evaluator"), evaluation=e, score=Decimal("80"))
    assert not PartyScore.objects.filter(evaluation=e).exists()


def test_a_party_scores_only_its_own_share(demo: None) -> None:
    e = evaluation()
    row = actions.evaluation_score(acting_user=user("datian_bureau"), evaluation=e, score=Decimal("88.5"))
    assert row.party == PartyScore.Party.COUNTY_BUREAU
    # 石牌镇 is not this agreement's township: the evaluation is not even in its scope.
    with pytest.raises((PermissionDenied, Http404)):
        actions.evaluation_score(acting_user=user("shipai_town"), evaluation=e, score=Decimal("80"))
    # The agency that runs the station may read its evaluation but never score it.
    with pytest.raises(Http404):
        actions.evaluation_score(acting_user=user("agency_sunshine"), evaluation=e, score=Decimal("99"))
    assert Evaluation.objects.for_user(user("agency_sunshine")).filter(pk=e.pk).exists()


def test_the_evaluator_must_be_granted_a_station_of_the_agreement(demo: None) -> None:
    other = Organisation.objects.create(kind=Organisation.Kind.EVALUATOR, name="未授权评估机构", division_id="3504")
    with pytest.raises(ValidationError, match="未获授权"):
        actions.evaluation_create(
            acting_user=user("datian_bureau"), contract=contract(), service_year=2026, stage="final", evaluator=other
        )
    c = contract()
    actions.evaluation_create(
        acting_user=user("datian_bureau"), contract=c, service_year=2026, stage="midterm", evaluator=evaluator_org()
    )
    with pytest.raises(ValidationError):
        actions.evaluation_create(
            acting_user=user("datian_bureau"), contract=c, service_year=2026, stage="midterm", evaluator=evaluator_org()
        )
    with pytest.raises(ValidationError, match="服务年度"):
        actions.evaluation_create(
            acting_user=user("datian_bureau"), contract=c, service_year=2027, stage="final", evaluator=evaluator_org()
        )


def test_pages_by_role(user_client) -> None:  # type: ignore[no-untyped-def]
    e = scored(evaluation())
    bureau = user_client("datian_bureau").get(f"/evaluations/{e.pk}/").content.decode()
    assert "按政策加权" in bureau and "认定评估结果" in bureau and "未规定" in bureau
    town = user_client("junxi_town").get(f"/evaluations/{e.pk}/").content.decode()
    assert "录入本方评分（乡镇）" in town and "85.00" not in town  # the third party's share stays hidden
    listing = user_client("evaluator").get("/evaluations/").content.decode()
    assert f'href="/evaluations/{e.pk}/"' in listing and "新建评估" not in listing
    page = user_client("datian_bureau").get("/evaluations/").content.decode()
    assert "新建评估" in page and "评估合格分数线" in page
    response = user_client("evaluator").post(f"/evaluations/{e.pk}/score/", {"score": "77.5"})
    assert response.status_code == 302
    assert PartyScore.objects.get(evaluation=e, party="third_party").score == Decimal("77.50")
