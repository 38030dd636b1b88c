"""Reads about contracts that other layers share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from core.access import access
from core.scoping import Action
from stations.models import Station

from .models import Amendment, Contract, Procurement


def active_contract_stations(organisation_id: int | None, on: dt.date | None = None) -> dict[int, str]:
    """{station id: division code} of the stations an agency holds a contract in force for, on a day.

    In force means status active and ``start_date <= day <= end_date`` (both days included); the stations
    are those signed, changed by the amendments effective on or before the day (an amendment that removes a
    station ends the agency's access to it on its effective date). Three queries whatever the count."""
    if organisation_id is None:
        return {}
    day = on or timezone.localdate()
    contract_ids = list(
        Contract.objects.filter(
            agency_id=organisation_id,
            status=Contract.Status.ACTIVE,
            start_date__lte=day,
            end_date__gte=day,
        ).values_list("pk", flat=True)
    )
    if not contract_ids:
        return {}
    covered: dict[int, set[int]] = {pk: set() for pk in contract_ids}
    for contract_id, station_id in Contract.stations.through.objects.filter(contract_id__in=contract_ids).values_list(
        "contract_id", "station_id"
    ):
        covered[contract_id].add(station_id)
    _apply_amendments(covered, day)
    ids = set().union(*covered.values())
    return dict(Station.objects.filter(pk__in=ids).values_list("pk", "division_id"))


def _apply_amendments(covered: dict[int, set[int]], day: dt.date) -> None:
    """Apply, in effective-date order, the amendments of these contracts that are effective on ``day``."""
    added = Amendment.stations_added.through.objects.filter(
        amendment__contract_id__in=list(covered), amendment__effective_date__lte=day
    ).values_list("amendment__contract_id", "amendment__effective_date", "amendment_id", "station_id")
    removed = Amendment.stations_removed.through.objects.filter(
        amendment__contract_id__in=list(covered), amendment__effective_date__lte=day
    ).values_list("amendment__contract_id", "amendment__effective_date", "amendment_id", "station_id")
    steps = sorted([(d, a, c, s, True) for c, d, a, s in added] + [(d, a, c, s, False) for c, d, a, s in removed])
    for _day, _amendment, contract_id, station_id, adds in steps:
        if adds:
            covered[contract_id].add(station_id)
        else:
            covered[contract_id].discard(station_id)


def stations_on(contract: Contract, day: dt.date) -> set[int]:
    """The station ids one contract covers on ``day`` (signed stations changed by effective amendments)."""
    covered = {contract.pk: set(contract.stations.values_list("pk", flat=True))}
    _apply_amendments(covered, day)
    return covered[contract.pk]


def agency_scope_stations(user: User) -> dict[int, str]:
    """The scope input this app registers with the core for agencies."""
    return active_contract_stations(user.organisation_id)


def access_contract(user: User, pk: Any, action: str = Action.VIEW) -> Contract:
    """A contract in the user's scope for ``action`` by its id, or 404."""
    return access(Contract, user, pk, action)


def access_procurement(user: User, pk: Any, action: str = Action.VIEW) -> Procurement:
    """A procurement in the user's scope for ``action`` by its id, or 404."""
    return access(Procurement, user, pk, action)
