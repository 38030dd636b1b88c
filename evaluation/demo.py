"""Demo evaluations (called once from home.demo.load_demo): this year's final evaluation of 均溪镇's agreement,
assigned to the demo evaluator, with the third party's and the township's scores in and the bureau's still to
come; a mid-term evaluation of 石牌镇's agreement just opened. Datian's plan sets no weights or pass mark, so
the scoring page shows what the bureau still has to settle."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Organisation, User
from contracts.models import Contract

from .actions import _grant
from .models import Evaluation, PartyScore


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
            defaults={"evaluator": evaluator, "created_by": bureau_user},
        )
        if created:
            _grant(evaluator, evaluation)
        for party, user, value in scores:
            assert user.organisation is not None  # noqa: S101 - demo accounts all have one
            PartyScore.objects.get_or_create(
                evaluation=evaluation,
                party=party,
                defaults={"score": Decimal(value), "organisation": user.organisation, "entered_by": user},
            )
