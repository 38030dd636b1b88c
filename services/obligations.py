"""Services duties as obligation kinds (registered in ServicesConfig.ready()).

- 巡访问题处置 ``services.escalation``: a failed check of a home visit to a scattered 特困 person [004 §2]. Owed
  by the township government of the person's township, the county bureau is told, and the village civil-affairs
  workers assigned to the person's village (``accounts.User.village``, ``notify_village``) — except a child's
  (under 14, or of unknown birth date), which the township may not see (个人信息保护法 第三十一条;
  ``ScopeRule.minors``): the county bureau, which leads children's welfare in the county and sees the child, owes
  it and is the one told; due the day of the visit, so the sweep that runs right after the visit is saved
  (services.tasks) tells them at once, and only once (each reminder stage is claimed once). Done when someone
  records what was done (services.escalation_resolve).
- 本周探访 ``services.weekly_visit``: a scattered 特困 person visited fewer than ``times`` times this calendar week
  where the county's policy asks for weekly visits (``service.visit_frequency``, [004 §2]). One obligation per
  person and ISO week (period ``2026-W48``), owed by the agency whose contract in force covers the person's
  station, the county bureau, the township government of the person's township and the person's village workers
  told; due on the week's Sunday, so the sweep tells them once on Sunday (due soon) and once more when the week
  has passed unvisited (overdue). Each week is settled on its own: done when the person has ``times`` visits
  dated in that obligation's week (``Visit.week`` equals the obligation's period), so a visit the next week does
  not settle a missed one. A rule counted per month, quarter or year makes no such obligation: it puts the
  person on the due list (services.selectors.due_this_week) until visited ``times`` times in the calendar period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Substr, TruncDate
from django.db.models.lookups import GreaterThanOrEqual

from core.personal.idnumber import earliest_birth_under
from core.scoping import Action

from .models import MINOR_AGE, Beneficiary, Escalation, iso_week

ESCALATION_KIND = "services.escalation"
WEEKLY_VISIT_KIND = "services.weekly_visit"


def _child(today: dt.date, prefix: str = "") -> Q:
    """The person (``prefix`` leads to a Beneficiary) is a child: under 14, or of unknown birth date."""
    cutoff = earliest_birth_under(MINOR_AGE, today)
    return Q(**{f"{prefix}birth_date__isnull": True}) | Q(**{f"{prefix}birth_date__gte": cutoff})


def escalation_rows(actor: Any, today: dt.date) -> QuerySet[Escalation]:
    from accounts.models import Organisation
    from obligations.registry import url_expression
    from policies.registry import vocabulary

    def government(kind: str, digits: int) -> Subquery:
        return Subquery(
            Organisation.objects.for_user(actor, Action.VIEW)
            .filter(kind=kind, division_id=Substr(OuterRef("beneficiary__division_id"), 1, digits))
            .order_by("pk")
            .values("pk")[:1]
        )

    # A child's escalation is owed by the county bureau, which serves children; the township cannot see it.
    child = _child(today, "beneficiary__")
    owner = Case(
        When(child, then=government(Organisation.Kind.BUREAU, 6)),
        default=government(Organisation.Kind.TOWNSHIP, 9),
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
            ob_owner_id=owner,
            # A child's is placed at the county: neither the township nor the village workers (who may not see
            # children) are told of it or see it.
            ob_division_id=Case(
                When(child, then=Substr("beneficiary__division_id", 1, 6)),
                default=F("beneficiary__division_id"),
                output_field=CharField(),
            ),
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


def _week_visits(person: Any, week: Any) -> Subquery:
    """The number of visits to ``person`` dated in the ISO ``week`` (both outer references or values)."""
    from .models import Visit

    return Subquery(
        Visit.objects.filter(beneficiary_id=person, week=week)
        .order_by()
        .values("beneficiary_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


def weekly_visit_rows(actor: Any, today: dt.date) -> QuerySet[Beneficiary]:
    from contracts.models import Contract

    from .policy import visit_expressions, visit_sources, week_bounds
    from .selectors import SCATTERED

    people = Beneficiary.objects.for_user(actor, Action.VIEW).filter(active=True, categories__contains=[SCATTERED])
    # Weekly rules only: a person is owed ``times`` visits in the calendar week (a monthly rule lists the person
    # on the due list until visited, but makes no weekly obligation).
    times, _since, clause = visit_expressions(visit_sources(actor), today, weekly_only=True)
    monday, sunday = week_bounds(today)
    in_force = (
        Contract.objects.for_user(actor, Action.VIEW)
        .filter(stations=OuterRef("station_id"), status="active", start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .values("agency_id")[:1]
    )
    return (
        people.annotate(ob_times=times)
        .filter(ob_times__gt=0)
        .annotate(ob_visits=Coalesce(_week_visits(OuterRef("pk"), Value(iso_week(today))), 0))
        .filter(ob_visits__lt=F("ob_times"))
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value(iso_week(today), output_field=CharField()),
            ob_title=Concat(
                Value("本周尚未探访："), "division__name", Value("的分散供养特困人员"), output_field=CharField()
            ),
            ob_owner_id=Subquery(in_force),
            # A child is placed at the county, as its escalations are: the township and the village workers may
            # not see children, so they are not told (the agency owes it, the county bureau is told).
            ob_division_id=Case(
                When(_child(today), then=Substr("division_id", 1, 6)),
                default=F("division_id"),
                output_field=CharField(),
            ),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=Value(sunday, output_field=DateField()),
            ob_rule_key=Value("service.visit_frequency", output_field=CharField()),
            ob_clause=clause,
            ob_link=_person_link(),
        )
    )


def _visited_in_period() -> Any:
    """On an obligation row: the person it is about has the visits its weekly rule asks for (``times``) dated in
    the obligation's ISO week."""
    from django.utils import timezone

    from core.system import system_actor

    from .policy import visit_expressions, visit_sources

    times, _since, _clause = visit_expressions(
        visit_sources(system_actor()), timezone.localdate(), field="division__pk", weekly_only=True
    )
    done = Coalesce(_week_visits(OuterRef("object_id"), OuterRef("period")), 0)
    # A rule since lifted (0 owed) leaves a week settled by one visit, as before.
    return Q(GreaterThanOrEqual(done, Greatest(times, Value(1))))


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
            # Not created for a person visited as often as the rule asks this calendar week: weekly_visit_rows
            # leaves them out (``times`` may be more than one, so one visit does not settle the week) …
            done=Q(pk__in=[]),
            # … and each week's obligation is settled only by the visits its rule asks for dated in that week.
            done_in_period=_visited_in_period,
            notify_township=True,
            notify_village=True,
            void=Q(active=False),
            void_reason="服务对象已不在册。",
            due_soon_days=0,
            description="登记本周的上门探访即视为完成（按自然周计）。",
        )
    )
