"""Write-matrix cases for the evaluation actions (tests/checks.py explains the contribution)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from accounts.models import Organisation
from evaluation import actions
from evaluation.models import Evaluation, EvaluationTemplate, PassMark, StarRule
from tests.checks import Case

from .support import (
    OTHER_COUNTY,
    bureau,
    contract,
    datian_weights,
    evaluation,
    evaluator_org,
    finalized,
    scored,
    template,
    user,
    with_report,
)


def _post(path: str, data: Callable[[Any], dict[str, Any]]) -> Callable[[Client, Any], Any]:
    return lambda client, obj: client.post(
        f"/api/v1/{path.format(pk=getattr(obj, 'pk', ''))}", data(obj), content_type="application/json"
    )


def _ready_to_finalize() -> Any:
    datian_weights()
    PassMark.objects.update_or_create(
        bureau=user("datian_bureau").organisation,
        defaults={"mark": Decimal("60"), "basis": "矩阵测试", "set_by": user("datian_bureau")},
    )
    return scored(evaluation())


def _no_template() -> str:
    EvaluationTemplate.objects.filter(bureau=user("datian_bureau").organisation).delete()
    return "baisha-2023"


def _ratable() -> int:
    """A year with a determined star rating the station's record does not show yet."""
    StarRule.objects.update_or_create(
        bureau=user("datian_bureau").organisation,
        stars=4,
        defaults={"min_total": Decimal("80"), "basis": "矩阵测试", "set_by": user("datian_bureau")},
    )
    e = evaluation(contract(year=2026))
    Evaluation.objects.filter(pk=e.pk).update(state=Evaluation.State.FINAL, total=Decimal("85"), passed=True)
    e.contract.stations.update(star_rating=None)
    return 2026


def _first(t: Any) -> int:
    return int(t.indicators.order_by("position").values_list("pk", flat=True)[0])


def _harmony_evaluation() -> Any:
    """An evaluation waiting for the self-evaluation of an agreement another agency (和谐) holds."""
    c = contract()
    c.agency = Organisation.objects.get(name__contains="和谐", kind=Organisation.Kind.AGENCY)
    c.save(update_fields=["agency"])
    return evaluation(c, state=Evaluation.State.SELF)


def cases() -> dict[str, Case]:
    today = timezone.localdate()
    return {
        "evaluation.create": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=contract,
            out_of_scope=lambda: contract(OTHER_COUNTY),
            call=lambda u, c: actions.evaluation_create(
                acting_user=u, contract=c, service_year=2026, stage="final", evaluator=evaluator_org()
            ),
            http=_post(
                "evaluations/",
                lambda c: {"contract": c.pk, "service_year": 2026, "stage": "final", "evaluator": evaluator_org().pk},
            ),
            http_ok=(201,),
        ),
        "evaluation.self_evaluate": Case(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: evaluation(state=Evaluation.State.SELF),
            out_of_scope=_harmony_evaluation,
            call=lambda u, e: actions.self_evaluate(
                acting_user=u, evaluation=e, summary="全年按协议完成服务。", score=Decimal("88")
            ),
            http=_post(
                "evaluations/{pk}/self-evaluation/", lambda e: {"score": "88", "summary": "全年按协议完成服务。"}
            ),
            http_ok=(200,),
            wrong_state=lambda: evaluation(),
        ),
        "evaluation.score": Case(
            right_user="evaluator",
            wrong_role_user="agency_sunshine",
            in_scope=evaluation,
            out_of_scope=lambda: evaluation(granted=False),
            call=lambda u, e: actions.evaluation_score(acting_user=u, evaluation=e, score=Decimal("80.50")),
            http=_post("evaluations/{pk}/scores/", lambda e: {"score": "80.5"}),
            http_ok=(200,),
            wrong_state=lambda: finalized(),
        ),
        "evaluation.finalize": Case(
            right_user="datian_bureau",
            wrong_role_user="evaluator",
            in_scope=_ready_to_finalize,
            out_of_scope=lambda: scored(evaluation(contract(OTHER_COUNTY))),
            call=lambda u, e: actions.evaluation_finalize(acting_user=u, evaluation=e),
            http=_post("evaluations/{pk}/finalize/", lambda e: {}),
            http_ok=(200,),
            wrong_state=lambda: finalized(),
        ),
        "evaluation.set_pass_mark": Case(
            right_user="datian_bureau",
            wrong_role_user="evaluator",
            in_scope=lambda: Decimal("60"),
            out_of_scope=None,  # a bureau sets only its own organisation's mark: there is no other row to reach
            call=lambda u, mark: actions.pass_mark_set(acting_user=u, mark=mark, basis="局务会议纪要"),
            http=lambda client, mark: client.post(
                "/api/v1/evaluations/pass-mark/",
                {"mark": str(mark), "basis": "局务会议纪要"},
                content_type="application/json",
            ),
            http_ok=(200,),
        ),
        "evaluation.adopt_template": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=_no_template,
            out_of_scope=None,  # a county bureau adopts only for its own organisation: no other row to reach
            call=lambda u, preset: actions.template_adopt(acting_user=u, preset=preset),
            http=lambda client, preset: client.post(
                "/api/v1/evaluation-templates/", {"preset": preset}, content_type="application/json"
            ),
            http_ok=(201,),
        ),
        "evaluation.edit_template": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=template,
            out_of_scope=lambda: template(bureau(OTHER_COUNTY)),
            call=lambda u, t: actions.template_edit(acting_user=u, template=t, maxima={_first(t): Decimal("25")}),
            http=lambda client, t: client.patch(
                f"/api/v1/evaluation-templates/{t.pk}/",
                {"maxima": {str(_first(t)): "25"}},
                content_type="application/json",
            ),
            http_ok=(200,),
        ),
        "evaluation.set_star_rules": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: {5: {"min_total": Decimal("90"), "min_brief_rate": None}},
            out_of_scope=None,  # a county bureau records only its own organisation's criteria
            call=lambda u, levels: actions.star_rules_set(acting_user=u, levels=levels, basis="局务会议纪要"),
            http=lambda client, levels: client.post(
                "/api/v1/station-ratings/",
                {"levels": [{"stars": 5, "min_total": "90"}], "basis": "局务会议纪要"},
                content_type="application/json",
            ),
            http_ok=(200,),
        ),
        "evaluation.publish_star_ratings": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=_ratable,
            out_of_scope=None,  # a county bureau publishes only its own county's ratings: no other row to reach
            call=lambda u, year: actions.star_ratings_publish(acting_user=u, year=year),
            http=lambda client, year: client.post(
                "/api/v1/station-ratings/publish/", {"year": year}, content_type="application/json"
            ),
            http_ok=(200,),
        ),
        "evaluation.renew": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: with_report(contract()),  # by hand: the year's evaluation report is on the agreement
            out_of_scope=lambda: contract(OTHER_COUNTY),
            call=lambda u, c: actions.renew(
                acting_user=u, contract=c, signed_date=today, passed_by_hand=True, reason="评估报告合格"
            ),
            http=_post(
                "renewals/",
                lambda c: {
                    "contract": c.pk,
                    "signed_date": today.isoformat(),
                    "passed_by_hand": True,
                    "reason": "评估报告合格",
                },
            ),
            http_ok=(201,),
            wrong_state=lambda: contract(status="draft"),
        ),
    }
