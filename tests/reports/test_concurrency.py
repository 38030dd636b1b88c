"""The daily job and the sweep of the reports run by two workers at once create each report and raise each
reminder once; and the job on the real Redis-backed Celery worker. Transactional tests (other connections must
see committed data)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from evaluation.reports.models import MonthlyBrief, PeriodicReport
from evaluation.reports.periods import open_periods
from obligations.models import Obligation, Reminder
from obligations.sweep import run_sweep

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]
KINDS = ["reports.monthly_brief", "reports.periodic"]


def _clean() -> None:
    Obligation.objects.filter(kind__in=KINDS).delete()
    MonthlyBrief.objects.all().delete()
    PeriodicReport.objects.all().delete()


def _thread(target: Any, results: dict[str, Any], name: str) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = target()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_two_workers_open_the_period_and_sweep_once(demo: None) -> None:
    _clean()
    today = timezone.localdate()
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def job() -> Any:
        barrier.wait(timeout=30)
        opened = open_periods(today=today, division="350425")
        latest = max(MonthlyBrief.objects.values_list("due_date", flat=True))
        swept = run_sweep(today=latest + dt.timedelta(days=1), kind_keys=KINDS)
        return opened, swept

    threads = [_thread(job, results, name) for name in ("a", "b")]
    for t in threads:
        t.join(timeout=180)
    assert not any(isinstance(r, Exception) for r in results.values()), results
    briefs = MonthlyBrief.objects.count()
    assert briefs > 0
    assert sum(r[0].briefs for r in results.values()) == briefs
    assert sum(r[0].reports for r in results.values()) == PeriodicReport.objects.count()
    owed = Obligation.objects.filter(kind__in=KINDS).count()
    assert owed == briefs + PeriodicReport.objects.count()
    claimed = sum(k.reminders for r in results.values() for k in r[1].kinds)
    assert claimed == Reminder.objects.filter(obligation__kind__in=KINDS).count() > 0
    pairs = list(Reminder.objects.filter(obligation__kind__in=KINDS).values_list("obligation_id", "stage"))
    assert len(pairs) == len(set(pairs))


def test_the_job_on_the_real_redis_backed_celery_worker(demo: None) -> None:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    from celery.contrib.testing.worker import start_worker
    from celery.result import EagerResult

    from config.celery import app
    from evaluation.reports.tasks import open_reporting_periods

    _clean()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.result_backend = settings.REDIS_URL
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            sent = open_reporting_periods.delay()
            assert not isinstance(sent, EagerResult)
            first = sent.get(timeout=120)
            second = open_reporting_periods.delay().get(timeout=120)
    finally:
        app.conf.task_always_eager = eager
    assert first["briefs"] == MonthlyBrief.objects.count() > 0
    assert second["briefs"] == 0 and second["reports"] == 0


def test_the_beat_entry_exists_once(demo: None) -> None:
    from django_celery_beat.models import PeriodicTask

    from evaluation.reports.schedules import TASK, TASK_NAME, setup_schedules

    setup_schedules()
    setup_schedules()
    assert PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).count() == 1
