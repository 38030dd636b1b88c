"""Reads of the services app: loading by key through core.access, the weekly visit list, monthly summaries.

Every read goes through ``for_user``; the summaries are one aggregate query each, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from core.access import access
from core.scoping import Action

from . import policy as service_policy
from .models import Beneficiary, Case, Escalation, Referral, ServiceRecord, StationServiceList, Visit

SCATTERED = "tekun_scattered"  # the vocabulary code of 分散供养特困人员 (policies/data/vocabularies.json)


def access_beneficiary(user: User, public_id: Any, action: str = Action.VIEW) -> Beneficiary:
    return access(Beneficiary, user, public_id, action, field="public_id")


def access_record(user: User, pk: Any, action: str = Action.VIEW) -> ServiceRecord:
    return access(ServiceRecord, user, pk, action)


def access_visit(user: User, pk: Any, action: str = Action.VIEW) -> Visit:
    return access(Visit, user, pk, action)


def access_escalation(user: User, pk: Any, action: str = Action.VIEW) -> Escalation:
    return access(Escalation, user, pk, action)


def access_case(user: User, pk: Any, action: str = Action.VIEW) -> Case:
    return access(Case, user, pk, action)


def access_referral(user: User, pk: Any, action: str = Action.VIEW) -> Referral:
    return access(Referral, user, pk, action)


def access_service_list(user: User, pk: Any, action: str = Action.VIEW) -> StationServiceList:
    return access(StationServiceList, user, pk, action)


def due_this_week(user: User, today: dt.date) -> QuerySet[Beneficiary]:
    """Scattered 特困 persons in the user's scope who still need a visit in the current calendar period of the
    policy in force (``service.visit_frequency``, [004 §2]): visited fewer than ``times`` times this calendar week
    (Monday to Sunday) for a weekly rule, this calendar month, quarter or year for the others. A fixed number of
    queries: the divisions whose policy sets the rule (and their effective value), then the list."""
    sources = service_policy.visit_sources(user)
    times, since, _clause = service_policy.visit_expressions(sources, today)
    in_period = Visit.objects.filter(beneficiary=OuterRef("pk"), date__gte=OuterRef("due_since"), date__lte=today)
    people = (
        Beneficiary.objects.for_user(user)
        .filter(active=True, categories__contains=[SCATTERED])
        .annotate(due_times=times)
        .filter(due_times__gt=0)
        .annotate(due_since=since)
    )
    if all(source.times <= 1 for source in sources):
        # Once per period (the usual rule, e.g. Nantong's weekly visit): "not visited yet" is an anti-join, which
        # PostgreSQL runs as one hashed pass instead of a count per person.
        people = people.filter(~Exists(in_period))
    else:
        done = in_period.order_by().values("beneficiary").annotate(n=Count("pk")).values("n")
        people = people.annotate(visits_done=Coalesce(Subquery(done), 0)).filter(visits_done__lt=F("due_times"))
    return people.select_related("division", "station").order_by(
        F("last_visit_date").asc(nulls_last=True), "division_id", "name", "pk"
    )


def visits_per_week(beneficiary: Beneficiary) -> dict[str, int]:
    """How many calendar weeks have at least one visit: Monday and Sunday visits of one week count once."""
    return dict(
        Visit.objects.filter(beneficiary=beneficiary).values_list("week").annotate(n=Count("pk")).order_by("week")
    )


HOURS = DecimalField(max_digits=12, decimal_places=2)


def share(professional: Decimal, total: Decimal) -> Decimal | None:
    if not total:
        return None
    return (professional / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First day of the month and first day of the next (a range the (station, date) index serves)."""
    first = dt.date(year, month, 1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def in_month(records: QuerySet[ServiceRecord], year: int, month: int) -> QuerySet[ServiceRecord]:
    first, after = month_range(year, month)
    return records.filter(date__gte=first, date__lt=after)


def monthly_summary(records: QuerySet[ServiceRecord], year: int, month: int) -> dict[str, Any]:
    """Counts by domain and item, hours, professional hours and their share for one month (one query each for
    the totals and the breakdown). The share is computed, never typed [003 §2(2)]."""
    rows = in_month(records, year, month)
    professional = Q(kind__in=list(ServiceRecord.PROFESSIONAL))
    totals = rows.aggregate(
        records=Count("pk"),
        total_hours=Coalesce(Sum("hours"), Value(Decimal(0)), output_field=HOURS),
        professional_hours=Coalesce(Sum("hours", filter=professional), Value(Decimal(0)), output_field=HOURS),
        participants=Coalesce(Sum("participants"), 0),
    )
    by_item = list(
        rows.values("item__domain__name", "item__code", "item__name", "kind")
        .annotate(n=Count("pk"), total_hours=Sum("hours"))
        .order_by("item__domain__name", "item__code", "kind")
    )
    totals["share"] = share(totals["professional_hours"], totals["total_hours"])
    totals["by_item"] = by_item
    return totals


def station_month_shares(records: QuerySet[ServiceRecord], year: int, month: int) -> list[dict[str, Any]]:
    """Professional-hours share per station for one month (one grouped query)."""
    professional = Q(kind__in=list(ServiceRecord.PROFESSIONAL))
    rows = (
        in_month(records, year, month)
        .values("station_id", "station__name", "station__division_id")
        .annotate(
            total_hours=Sum("hours"),
            professional_hours=Coalesce(Sum("hours", filter=professional), Value(Decimal(0)), output_field=HOURS),
        )
        .order_by("station__division_id", "station_id")
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        plain: dict[str, Any] = dict(row)
        plain["share"] = share(plain["professional_hours"], plain["total_hours"])
        out.append(plain)
    return out
