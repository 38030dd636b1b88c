"""Two sweeps at once, each on its own PostgreSQL connection, raise each reminder once; and the sweep on the
real Redis-backed Celery worker. Transactional tests: the other connections must see committed data."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections, transaction

from core.system import system_actor
from obligations.models import Notification, Obligation, Reminder
from obligations.registry import get
from obligations.sweep import run_sweep, sweep_kind
from tests.obligations.support import STATION_KINDS, datian_milestones, ensure_milestone_rules

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.fixture
def datian(demo: None, emails: None) -> None:
    ensure_milestone_rules()
    datian_milestones()


def in_thread(target: Any, results: dict[str, Any], name: str) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = target()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[name] = exc
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_two_sweeps_started_together_raise_each_reminder_once(datian: None) -> None:
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def sweep() -> Any:
        barrier.wait(timeout=30)
        return run_sweep(kind_keys=STATION_KINDS)

    threads = [in_thread(sweep, results, name) for name in ("a", "b")]
    for t in threads:
        t.join(timeout=120)
    assert not any(isinstance(r, Exception) for r in results.values()), results
    owed = Obligation.objects.count()
    assert owed > 0
    claimed = sum(k.reminders for r in results.values() for k in r.kinds)
    assert claimed == Reminder.objects.count() == owed  # every overdue obligation: one reminder, claimed once
    per_reminder = Notification.objects.values_list("reminder_id", "recipient_id")
    assert len(per_reminder) == len(set(per_reminder))
    emailed = sum(r.emailed for r in results.values())
    assert emailed == len(mail.outbox) == Notification.objects.filter(recipient__email__gt="").count()


def _waiting_on_a_lock(timeout: float = 30) -> bool:
    """True once another backend waits on a lock (the second sweep stuck behind the first one's claims)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_second_sweep_waits_for_the_first_ones_claims_and_raises_nothing(datian: None) -> None:
    kind = get("station.signage")
    assert kind is not None
    holding = threading.Event()
    release = threading.Event()
    results: dict[str, Any] = {}
    from django.utils import timezone

    today = timezone.localdate()

    def first() -> Any:
        with transaction.atomic():
            result = sweep_kind(kind, actor=system_actor(), today=today, now=timezone.now())
            holding.set()
            release.wait(timeout=60)  # keep the claims uncommitted while the second sweep runs
        return result

    def second() -> Any:
        return sweep_kind(kind, actor=system_actor(), today=today, now=timezone.now())

    a = in_thread(first, results, "first")
    assert holding.wait(timeout=60)
    b = in_thread(second, results, "second")
    try:
        assert _waiting_on_a_lock(), "the second sweep should wait on the first one's uncommitted rows"
    finally:
        release.set()
    a.join(timeout=60)
    b.join(timeout=60)
    assert not any(isinstance(r, Exception) for r in results.values()), results
    assert results["first"].reminders > 0 and results["first"].created > 0
    assert results["second"].reminders == 0 and results["second"].created == 0
    assert results["second"].notifications == 0
    assert Reminder.objects.count() == results["first"].reminders


def test_sweep_on_the_real_redis_backed_celery_worker(datian: None) -> None:
    """The beat's task, sent through Redis to a real worker (not eager), runs the sweep once per claim."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    from celery.contrib.testing.worker import start_worker
    from celery.result import EagerResult

    from config.celery import app
    from obligations.tasks import sweep_obligations

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.result_backend = settings.REDIS_URL
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            sent = sweep_obligations.delay()
            assert not isinstance(sent, EagerResult)  # through the broker, run by the worker
            first = sent.get(timeout=120)
            second = sweep_obligations.delay().get(timeout=120)
    finally:
        app.conf.task_always_eager = eager
    # The beat sweeps every registered kind; the fixture's station milestones are all due, so each of those
    # gets its first reminder (other apps' kinds may create obligations not yet due for one).
    assert sum(k["created"] for k in first["kinds"]) == Obligation.objects.count() > 0
    station = [k for k in first["kinds"] if k["kind"] in STATION_KINDS]
    created = sum(k["created"] for k in station)
    assert created == Obligation.objects.filter(kind__in=STATION_KINDS).count() > 0
    reminded = Reminder.objects.filter(obligation__kind__in=STATION_KINDS).count()
    assert sum(k["reminders"] for k in station) == reminded == created
    assert sum(k["reminders"] for k in first["kinds"]) == Reminder.objects.count()
    assert all(k["reminders"] == 0 and k["created"] == 0 for k in second["kinds"])
    assert Notification.objects.count() > 0
