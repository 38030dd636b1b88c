"""Reads about divisions and stations that other layers share."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from core.access import NOT_FOUND, access
from core.scoping import Action

from .models import Division, Station


def granted_stations(user: Any) -> dict[int, str]:
    """{station id: division code} of the stations granted to a user through django-guardian (evaluators)."""
    qs = get_objects_for_user(
        user, "stations.view_station", klass=Station.objects.all(), accept_global_perms=False, with_superuser=False
    )
    return dict(qs.values_list("pk", "division_id"))


def incomplete_q() -> Q:
    """A station whose basic record is incomplete: no floor area, plaque date, address or rooms (资料不完整)."""
    return Q(floor_area__isnull=True) | Q(plaque_date__isnull=True) | Q(address="") | Q(rooms=[])


def access_division(user: Any, code: str, action: str = Action.VIEW) -> Division:
    """A division in the user's scope by its statistical code, or 404."""
    if not (isinstance(code, str) and code.isdigit() and len(code) in (2, 4, 6, 9, 12)):
        raise Http404(NOT_FOUND)
    return access(Division, user, code, action, field="code")


def access_station(user: Any, pk: Any, action: str = Action.VIEW) -> Station:
    """A station in the user's scope for ``action`` by its id, or 404."""
    return access(Station, user, pk, action, queryset=Station.objects.select_related("division"))
