"""The reports as obligation kinds (registered in EvaluationConfig.ready() through evaluation.reports.setup).

- ``reports.monthly_brief`` 月度工作简报: owed by the agency, due on the calendar's day (evaluation/reports/
  calendar.py); the county bureau is told. Done once handed in (submitted, reviewed or accepted); a brief
  returned for changes is owed again (the sweep reopens it; reminders already raised are not raised again).
- ``reports.periodic`` the other reports of the calendar (mid-term, final, self-evaluations, the county's
  half-yearly report and yearly self-evaluation): owed by their owner, the bureau above is told; done when
  submitted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr

from core.scoping import Action

from .models import MonthlyBrief, PeriodicReport


def brief_rows(actor: Any, today: dt.date) -> QuerySet[MonthlyBrief]:
    from obligations.registry import url_expression

    return MonthlyBrief.objects.for_user(actor, Action.VIEW).annotate(
        ob_object_id=F("pk"),
        ob_period=F("period"),
        ob_title=Concat("station__name", Value("："), "period", Value("月度工作简报"), output_field=CharField()),
        ob_owner_id=F("agency_id"),
        ob_division_id=F("division_id"),
        ob_notify_division_id=Substr("division_id", 1, 6),
        ob_due_date=F("due_date"),
        ob_rule_key=F("rule_key"),
        ob_clause=F("clause"),
        ob_link=url_expression("report-brief-detail"),
    )


def periodic_rows(actor: Any, today: dt.date) -> QuerySet[PeriodicReport]:
    from django.db.models import Case, When

    from obligations.registry import url_expression

    whens = [When(kind=k, then=Value(label)) for k, label in PeriodicReport.Kind.choices]
    return PeriodicReport.objects.for_user(actor, Action.VIEW).annotate(
        ob_object_id=F("pk"),
        ob_period=F("period"),
        ob_title=Concat(
            "division__name",
            Value("："),
            "period_label",
            Case(*whens, default=Value(""), output_field=CharField()),
            output_field=CharField(),
        ),
        ob_owner_id=F("owner_id"),
        ob_division_id=F("division_id"),
        ob_notify_division_id=F("notify_division_id"),
        ob_due_date=F("due_date"),
        ob_rule_key=F("rule_key"),
        ob_clause=F("clause"),
        ob_link=url_expression("report-periodic-detail"),
    )


KIND_KEYS = ("reports.monthly_brief", "reports.periodic")


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    register(
        ObligationKind(
            key="reports.monthly_brief",
            label="报送月度工作简报",
            model=MonthlyBrief,
            rows=brief_rows,
            done=Q(state__in=MonthlyBrief.HANDED_IN),
            description="在简报页面填写并报送即视为完成；被退回的简报须修改后重新报送。",
        )
    )
    register(
        ObligationKind(
            key="reports.periodic",
            label="报送定期报告",
            model=PeriodicReport,
            rows=periodic_rows,
            done=Q(state=PeriodicReport.State.SUBMITTED),
            description="在报告页面填写正文并报送即视为完成。",
        )
    )
