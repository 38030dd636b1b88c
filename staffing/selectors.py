"""Reads about staffing that pages, the API, the sweep and exports share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.access import access
from core.scoping import Action
from stations.models import Division, Station

from .models import CERTIFICATE_RANK, Assignment, Certificate, SocialWorker
from .policy import Adequacy, StaffMember, adequacy


def access_worker(user: Any, public_id: Any, action: str = Action.VIEW) -> SocialWorker:
    return access(SocialWorker, user, public_id, action, field="public_id")


def workers_for(user: Any, action: str = Action.VIEW) -> QuerySet[SocialWorker]:
    return (
        SocialWorker.objects.for_user(user, action)
        .select_related("agency", "station", "household_division")
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.order_by("obtained_on", "pk")))
    )


def village_count(division_code: str) -> int:
    """The number of villages (communities) of a township, from the division list."""
    return Division.objects.filter(
        code__startswith=division_code, level=Division.Level.VILLAGE, code__gte=division_code
    ).count()


def current_assignments(station_ids: list[int], on: dt.date | None = None) -> dict[int, list[Assignment]]:
    """{station id: assignments current on ``on``} in one query (with the worker and its certificates)."""
    day = on or timezone.localdate()
    rows = (
        Assignment.objects.filter(station_id__in=station_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("worker")
        .prefetch_related("worker__certificates")
        .order_by("station_id", "role", "pk")
    )
    out: dict[int, list[Assignment]] = defaultdict(list)
    for a in rows:
        out[a.station_id].append(a)
    return out


def team_of(assignments: list[Assignment], on: dt.date) -> list[StaffMember]:
    team = []
    for a in assignments:
        certs = [c for c in a.worker.certificates.all() if c.obtained_on <= on]
        best = max(certs, key=lambda c: CERTIFICATE_RANK[c.level], default=None)
        team.append(StaffMember(role=a.role, certificate=best.level if best else None))
    return team


def station_adequacy(
    stations: list[Station], on: dt.date | None = None
) -> list[tuple[Station, list[Assignment], Adequacy, int]]:
    """Adequacy of each township station's current team, the policy read once per division; a fixed number of
    queries whatever the number of stations (villages counted in one grouped query)."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from policies.policy import effective_policy

    day = on or timezone.localdate()
    teams = current_assignments([s.pk for s in stations], day)
    codes = sorted({s.division_id for s in stations})
    counts: dict[str, int] = {}
    if codes:
        counties = sorted({c[:6] for c in codes})
        q = Q()
        for county in counties:
            q |= Q(code__startswith=county)
        counts = dict(
            Division.objects.filter(q, level=Division.Level.VILLAGE)
            .annotate(town=Substr("code", 1, 9))
            .values_list("town")
            .annotate(n=Count("code"))
            .values_list("town", "n")
        )
    from policies.models import Policy

    # A township's own policy is rare: read the policy once per county unless the township has its own.
    own = set(Policy.objects.filter(division_id__in=codes).values_list("division_id", flat=True)) if codes else set()
    policies: dict[str, Any] = {}
    out = []
    for s in stations:
        county = s.division_id if s.division_id in own else s.division_id[:6]
        if county not in policies:
            policies[county] = effective_policy(county)
        villages = counts.get(s.division_id, 0)
        members = teams.get(s.pk, [])
        result = adequacy(s.division_id, team_of(members, day), villages, policy=policies[county])
        out.append((s, members, result, villages))
    return out
