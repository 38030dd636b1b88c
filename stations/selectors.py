"""Reads about divisions and stations that other layers share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from accounts.models import User
from contracts.models import Contract
from core.access import NOT_FOUND, access
from core.scoping import Action

from .models import Division, Station


def granted_stations(user: User) -> dict[int, str]:
    """{station id: division code} of the stations granted to a user through django-guardian (evaluators)."""
    qs = get_objects_for_user(
        user, "stations.view_station", klass=Station.objects.all(), accept_global_perms=False, with_superuser=False
    )
    return dict(qs.values_list("pk", "division_id"))


def incomplete_q() -> Q:
    """A station whose basic record is incomplete: no floor area, plaque date, address or rooms (资料不完整)."""
    return Q(floor_area__isnull=True) | Q(plaque_date__isnull=True) | Q(address="") | Q(rooms=[])


def access_division(
    user: User, code: str, action: str = Action.VIEW, queryset: QuerySet[Division] | None = None
) -> Division:
    """A division in the user's scope by its statistical code, or 404 (malformed codes included)."""
    if not (isinstance(code, str) and code.isdigit() and len(code) in (2, 4, 6, 9, 12)):
        raise Http404(NOT_FOUND)
    return access(Division, user, code, action, field="code", queryset=queryset)


def access_station(user: User, pk: Any, action: str = Action.VIEW) -> Station:
    """A station in the user's scope for ``action`` by its id, or 404."""
    return access(Station, user, pk, action, queryset=Station.objects.select_related("division"))


def with_current_contract(stations: QuerySet[Station], on: dt.date | None = None) -> QuerySet[Station]:
    """Annotate each (already scoped) station with the contract in force for it on a day, in the same query.

    ``agency_id``/``agency_name`` (承接机构), ``contract_number``, ``contract_start`` and ``contract_end``; all
    None when no contract is in force. In force: status active and start <= day <= end; when two overlap the
    one that started last wins. These are facts about a station the user already sees, so they follow the
    station's scope (an evaluator sees who runs the stations granted to it).
    """
    day = on or timezone.localdate()
    current = Contract.objects.filter(
        stations=OuterRef("pk"),
        status=Contract.Status.ACTIVE,
        start_date__lte=day,
        end_date__gte=day,
    ).order_by("-start_date", "-pk")
    return stations.annotate(
        agency_id=Subquery(current.values("agency_id")[:1]),
        agency_name=Subquery(current.values("agency__name")[:1]),
        contract_number=Subquery(current.values("number")[:1]),
        contract_start=Subquery(current.values("start_date")[:1]),
        contract_end=Subquery(current.values("end_date")[:1]),
    )


EVALUATOR_GROUP_PREFIX = "evaluator-org-"  # internal group names, never shown
GRANT_OBJECT_TYPE = "stations.StationGrant"  # the audit rows of grants and revocations


def evaluator_group_name(organisation_id: int) -> str:
    return f"{EVALUATOR_GROUP_PREFIX}{organisation_id}"


def granted_station_ids(evaluator: Any) -> set[int]:
    """Ids of the stations granted to an evaluator organisation (its group's object permissions)."""
    from .models import StationGroupObjectPermission

    return set(
        StationGroupObjectPermission.objects.filter(
            group__name=evaluator_group_name(evaluator.pk), permission__codename="view_station"
        ).values_list("content_object_id", flat=True)
    )
