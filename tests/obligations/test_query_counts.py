"""The sweep runs a fixed number of queries per kind, whatever the number of rows (10 vs 100 stations)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from core.system import system_actor
from obligations.models import Notification, Obligation, Reminder
from obligations.registry import get
from obligations.sweep import sweep_kind
from stations.models import Division, Station
from tests.obligations.support import make_county, set_rule

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)
KINDS = ["station.signage", "station.opening", "station.site"]


def run_counts(actor) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """{kind: (queries, obligations created)} of one sweep of each kind."""
    out = {}
    now = dt.datetime.now(dt.UTC)
    for key in KINDS:
        kind = get(key)
        assert kind is not None
        with CaptureQueriesContext(connection) as ctx:
            result = sweep_kind(kind, actor=actor, today=TODAY, now=now)
        out[key] = (len(ctx.captured_queries), result.created)
    return out


def test_queries_per_kind_do_not_grow_with_rows(demo: None) -> None:
    actor = system_actor()
    make_county("439901", 10)
    for key, value in [
        ("milestone.signage_done", "2026-11-30"),  # due soon
        ("milestone.staff_deployed", "2026-10-31"),  # overdue
        ("milestone.site_secured", "2027-06-30"),  # upcoming
    ]:
        set_rule("439901", key, value, "[测试 §1]")
    get("station.signage")  # registry warm; content types cached by the first run below
    Obligation.objects.all().delete()
    small = run_counts(actor)
    assert {k: c for k, (_, c) in small.items()} == {k: 10 for k in KINDS}

    # Ten times the rows: start again with 100 stations.
    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    Obligation.objects.all().delete()
    Station.objects.filter(division__code__startswith="439901").delete()
    Organisation.objects.filter(division__code__startswith="439901").delete()
    Division.objects.filter(code__startswith="439901", level=4).delete()
    make_county("439901", 100)
    large = run_counts(actor)
    assert {k: c for k, (_, c) in large.items()} == {k: 100 for k in KINDS}
    assert {k: q for k, (q, _) in large.items()} == {k: q for k, (q, _) in small.items()}, (small, large)
    assert all(q <= 15 for q, _ in large.values()), large

    # A re-run changes nothing, in fewer statements still fixed.
    again = run_counts(actor)
    assert all(c == 0 for _, c in again.values())
