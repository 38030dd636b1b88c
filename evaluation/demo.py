"""Demo evaluations (called once from home.demo.load_demo): this year's final evaluation of 均溪镇's agreement,
assigned to the demo evaluator, past the agency's self-evaluation, with the third party's and the township's scores
in and the bureau's still to come; a mid-term evaluation of 石牌镇's agreement just opened, waiting for the agency's
self-evaluation. Datian's plan sets no weights or pass mark, so
the scoring page shows what the bureau still has to settle."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Organisation, User
from contracts.models import Contract

from .actions import _grant
from .models import Evaluation, PartyScore, SelfEvaluation


def load(*, bureau_user: User, evaluator: Organisation, township_user: User, evaluator_user: User) -> None:
    for number, stage, scores in [
        ("100", Evaluation.Stage.FINAL, [("third_party", evaluator_user, "86.50"), ("township", township_user, "88")]),
        ("101", Evaluation.Stage.MIDTERM, []),
    ]:
        contract = (
            Contract.objects.filter(number__endswith=f"-{number}", status=Contract.Status.ACTIVE)
            .order_by("-start_date")
            .first()
        )
        if contract is None:
            continue
        evaluation, created = Evaluation.objects.get_or_create(
            contract=contract,
            service_year=contract.start_date.year,
            stage=stage,
            defaults={
                "evaluator": evaluator,
                "created_by": bureau_user,
                "state": Evaluation.State.OPEN if scores else Evaluation.State.SELF,
            },
        )
        if created:
            _grant(evaluator, evaluation)
        agency_user = User.objects.filter(organisation_id=contract.agency_id, is_active=True).order_by("pk").first()
        if scores and agency_user is not None:
            SelfEvaluation.objects.get_or_create(
                evaluation=evaluation,
                defaults={
                    "agency_id": contract.agency_id,
                    "score": Decimal("90.00"),
                    "summary": "全年按协议开展个案、小组和社区活动，完成巡访探视任务；专业服务时长占比仍需提高。",
                    "submitted_by": agency_user,
                },
            )
        for party, user, value in scores:
            assert user.organisation is not None  # noqa: S101 - demo accounts all have one
            PartyScore.objects.get_or_create(
                evaluation=evaluation,
                party=party,
                defaults={"score": Decimal(value), "organisation": user.organisation, "entered_by": user},
            )
