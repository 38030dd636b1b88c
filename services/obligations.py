"""Services duties as obligation kinds (registered in ServicesConfig.ready()).

- 巡访问题处置 ``services.escalation``: a failed check of a home visit to a scattered 特困 person [004 §2]. Owed
  by the township government of the person's township, the county bureau is told; due the day of the visit, so
  the sweep that runs right after the visit is saved (services.tasks) tells them at once, and only once (each
  reminder stage is claimed once); the village civil-affairs workers assigned to the person's village
  (``accounts.User.village``) are told too (``notify_village``). Done when someone records what was done
  (services.escalation_resolve).
- 本周探访 ``services.weekly_visit``: a scattered 特困 person not yet visited this calendar week where the
  county's policy asks for weekly visits (``service.visit_frequency``, [004 §2]). One obligation per person and
  ISO week (period ``2026-W48``), owed by the agency whose contract in force covers the person's station, the
  county bureau, the township government of the person's township and the person's village workers told; due
  on the week's Sunday, so the sweep tells them once on Sunday (due soon) and once more when the week has
  passed unvisited (overdue). Each week is settled on its own: done when the person has a visit dated in that
  obligation's week (``Visit.week`` equals the obligation's period), so a visit the next week does not settle
  a missed one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Concat, Now, Substr, TruncDate, TruncWeek

from core.scoping import Action

from .models import Beneficiary, Escalation, iso_week

ESCALATION_KIND = "services.escalation"
WEEKLY_VISIT_KIND = "services.weekly_visit"


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


def _person_link() -> Concat:
    """``/services/beneficiaries/<public id>/`` as a SQL expression (the public id is a UUID, not a number)."""
    import uuid

    from django.urls import reverse

    sentinel = uuid.UUID(int=0)
    head, tail = reverse("services:beneficiary-detail", args=[sentinel]).split(str(sentinel))
    return Concat(Value(head), Cast("public_id", CharField()), Value(tail), output_field=CharField())


def weekly_visit_rows(actor: Any, today: dt.date) -> QuerySet[Beneficiary]:
    from contracts.models import Contract

    from .policy import week_bounds, weekly_expressions, weekly_sources
    from .selectors import SCATTERED

    people = Beneficiary.objects.for_user(actor, Action.VIEW).filter(active=True, categories__contains=[SCATTERED])
    weekly, clause = weekly_expressions(weekly_sources(actor))
    monday, sunday = week_bounds(today)
    in_force = (
        Contract.objects.for_user(actor, Action.VIEW)
        .filter(stations=OuterRef("station_id"), status="active", start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .values("agency_id")[:1]
    )
    return (
        people.annotate(ob_weekly=weekly)
        .filter(ob_weekly=True)
        .exclude(last_visit_date__gte=monday)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value(iso_week(today), output_field=CharField()),
            ob_title=Concat(
                Value("本周尚未探访："), "division__name", Value("的分散供养特困人员"), output_field=CharField()
            ),
            ob_owner_id=Subquery(in_force),
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=Value(sunday, output_field=DateField()),
            ob_rule_key=Value("service.visit_frequency", output_field=CharField()),
            ob_clause=clause,
            ob_link=_person_link(),
        )
    )


def _visited_in_period() -> Exists:
    """On an obligation row: the person it is about has a visit in the obligation's ISO week."""
    from .models import Visit

    return Exists(Visit.objects.filter(beneficiary_id=OuterRef("object_id"), week=OuterRef("period")))


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
            notify_village=True,
            description="在处置页面登记处置结果（卫生清理、转入集中供养机构、送医救治等）即视为完成。",
        )
    )
    register(
        ObligationKind(
            key=WEEKLY_VISIT_KIND,
            label="本周探访",
            model=Beneficiary,
            rows=weekly_visit_rows,
            # Not created for a person already visited this calendar week (Monday, local time, to today) …
            done=Q(last_visit_date__gte=Cast(TruncWeek(Now()), DateField())),
            # … and each week's obligation is settled only by a visit in that week.
            done_in_period=_visited_in_period,
            notify_township=True,
            notify_village=True,
            void=Q(active=False),
            void_reason="服务对象已不在册。",
            due_soon_days=0,
            description="登记本周的上门探访即视为完成（按自然周计）。",
        )
    )
