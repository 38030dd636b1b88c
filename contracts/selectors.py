"""Reads about contracts that other layers share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from core.access import access
from core.scoping import Action

from .models import Contract


def active_contract_stations(organisation_id: int | None, on: dt.date | None = None) -> dict[int, str]:
    """{station id: division code} of the stations an agency holds a contract in force for, on a day.

    In force means status active and ``start_date <= day <= end_date`` (both days included)."""
    if organisation_id is None:
        return {}
    day = on or timezone.localdate()
    through = Contract.stations.through
    rows = through.objects.filter(
        contract__agency_id=organisation_id,
        contract__status=Contract.Status.ACTIVE,
        contract__start_date__lte=day,
        contract__end_date__gte=day,
    ).values_list("station_id", "station__division_id")
    return dict(rows)


def agency_scope_stations(user: Any) -> dict[int, str]:
    """The scope input this app registers with the core for agencies."""
    return active_contract_stations(user.organisation_id)


def access_contract(user: Any, pk: Any, action: str = Action.VIEW) -> Contract:
    """A contract in the user's scope for ``action`` by its id, or 404."""
    return access(Contract, user, pk, action)
