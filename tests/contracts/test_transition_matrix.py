"""Issue 8 item 9: every transition of the agreement by every role in every state. Each (role, state, transition)
is taken on a fresh Datian agreement through the declared action: it succeeds exactly when the role writes
agreements in its scope (the county bureau, the system administrator) and the state is one the transition leaves
from (``contracts.actions.TRANSITIONS``); otherwise it is refused and nothing changes. The object's
``available_actions`` (what the API and the page offer next) says the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, User
from contracts import actions as ca
from contracts.models import Contract
from core.actions import available_actions
from core.models import AuditLog
from stations.models import Station
from tests import oracle

pytestmark = pytest.mark.django_db
DATIAN = "350425"
WRITERS = {"admin", "datian_bureau"}


def _contract(state: str, n: int) -> Contract:
    today = timezone.localdate()
    station = Station.objects.filter(division__code__startswith=DATIAN, level=Station.Level.TOWNSHIP).order_by("pk")[0]
    signed = state != Contract.Status.DRAFT
    contract = Contract.objects.create(
        number=f"DT-MX-{n}",
        buyer=Organisation.objects.get(kind=Organisation.Kind.BUREAU, division_id=DATIAN),
        division_id=station.division_id,
        agency=Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光"),
        # A term that ended yesterday, so "expire" may be taken from the state it leaves from.
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=1),
        signed_date=today - dt.timedelta(days=400) if signed else None,
        filed_date=today - dt.timedelta(days=390) if state in ("filed", "active", "expired", "terminated") else None,
        filed_with="三明市民政局" if state in ("filed", "active", "expired", "terminated") else "",
        status=state,
    )
    contract.stations.add(station)
    return contract


def _take(name: str, user: User, contract: Contract) -> Any:
    today = timezone.localdate()
    calls = {
        "contracts.sign": lambda: ca.contract_sign(
            acting_user=user, contract=contract, signed_date=today - dt.timedelta(days=400)
        ),
        "contracts.file": lambda: ca.contract_file(
            acting_user=user, contract=contract, filed_date=today - dt.timedelta(days=5), filed_with="三明市民政局"
        ),
        "contracts.activate": lambda: ca.contract_activate(acting_user=user, contract=contract),
        "contracts.expire": lambda: ca.contract_expire(acting_user=user, contract=contract),
        "contracts.terminate": lambda: ca.contract_terminate(
            acting_user=user, contract=contract, terminated_date=today - dt.timedelta(days=10), reason="严重违约"
        ),
    }
    return calls[name]()


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
def test_every_transition_by_every_role_in_every_state(demo: None, username: str) -> None:
    user = User.objects.get(username=username)
    n = 0
    for state in Contract.Status.values:
        for name, (sources, target) in ca.TRANSITIONS.items():
            n += 1
            contract = _contract(state, n)
            allowed = username in WRITERS and state in sources
            offered = {a["action"] for a in available_actions(user, contract)}
            assert (name in offered) == allowed, (username, state, name, offered)
            before = AuditLog.objects.filter(object_type="contracts.Contract", object_id=str(contract.pk)).count()
            if allowed:
                _take(name, user, contract)
                contract.refresh_from_db()
                assert contract.status == target, (username, state, name)
                rows = AuditLog.objects.filter(object_type="contracts.Contract", object_id=str(contract.pk))
                assert rows.count() == before + 1 and rows.order_by("-pk")[0].event == name.split(".")[1]
            else:
                with pytest.raises((PermissionDenied, ValidationError, Http404)):
                    _take(name, user, contract)
                contract.refresh_from_db()
                assert contract.status == state, (username, state, name)
                assert (
                    AuditLog.objects.filter(object_type="contracts.Contract", object_id=str(contract.pk)).count()
                    == before
                )
