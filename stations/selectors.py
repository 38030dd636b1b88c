"""Reads about divisions and stations that other layers share."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from guardian.shortcuts import get_objects_for_user

from .models import Station


def granted_stations(user: Any) -> dict[int, str]:
    """{station id: division code} of the stations granted to a user through django-guardian (evaluators)."""
    qs = get_objects_for_user(
        user, "stations.view_station", klass=Station.objects.all(), accept_global_perms=False, with_superuser=False
    )
    return dict(qs.values_list("pk", "division_id"))


def incomplete_q() -> Q:
    """A station whose basic record is incomplete: no floor area, plaque date, address or rooms (资料不完整)."""
    return Q(floor_area__isnull=True) | Q(plaque_date__isnull=True) | Q(address="") | Q(rooms=[])
