"""Services duties as obligation kinds (registered in ServicesConfig.ready()).

- 巡访问题处置 ``services.escalation``: a failed check of a home visit to a scattered 特困 person [004 §2]. Owed
  by the township government of the person's township, the county bureau is told; due the day of the visit, so
  the sweep that runs right after the visit is saved (services.tasks) tells them at once, and only once (each
  reminder stage is claimed once). Done when someone records what was done (services.escalation_resolve).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat, Substr, TruncDate

from core.scoping import Action

from .models import Escalation

ESCALATION_KIND = "services.escalation"


def escalation_rows(actor: Any, today: dt.date) -> QuerySet[Escalation]:
    from accounts.models import Organisation
    from obligations.registry import url_expression
    from policies.registry import vocabulary

    township_government = (
        Organisation.objects.for_user(actor, Action.VIEW)
        .filter(kind=Organisation.Kind.TOWNSHIP, division_id=Substr(OuterRef("beneficiary__division_id"), 1, 9))
        .order_by("pk")
        .values("pk")[:1]
    )
    check_label = Case(
        *[When(check_code=code, then=Value(label)) for code, label in vocabulary("visit_checks").items()],
        default=Value("查看事项"),
        output_field=CharField(),
    )
    return (
        Escalation.objects.for_user(actor, Action.VIEW)
        .filter(status=Escalation.Status.OPEN)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=Concat(
                Value("探访发现问题待处置："),
                "beneficiary__division__name",
                Value("，"),
                check_label,
                output_field=CharField(),
            ),
            ob_owner_id=Subquery(township_government),
            ob_division_id=F("beneficiary__division_id"),
            ob_notify_division_id=Substr("beneficiary__division_id", 1, 6),
            ob_due_date=TruncDate("created_at"),
            ob_rule_key=Value("service.visit_escalation", output_field=CharField()),
            ob_clause=F("clause"),
            ob_link=url_expression("services:escalation-detail"),
        )
    )


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    register(
        ObligationKind(
            key=ESCALATION_KIND,
            label="巡访问题处置",
            model=Escalation,
            rows=escalation_rows,
            done=Q(status=Escalation.Status.RESOLVED),
            due_soon_days=0,
            description="在处置页面登记处置结果（卫生清理、转入集中供养机构、送医救治等）即视为完成。",
        )
    )
