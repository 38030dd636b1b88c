"""Opening reporting periods: the reports of the calendar whose period has begun are created, once.

Run every day by the beat job ``evaluation.reports.open_periods`` (evaluation/reports/schedules.py), an hour
before the obligations sweep that then dates, reminds and flags them (evaluation/reports/obligations.py). As the
system actor: reads through ``for_user(system_actor(), …)``; the models list ``Role.SYSTEM`` among their
writers for ``add``; one audit row per run that created something.

A report is created when its period has begun and its due day has not passed: the platform does not invent
debts older than itself. Creating is ``INSERT … ON CONFLICT DO NOTHING`` on the one-per-period constraints, so
a second run, or two workers at once, create nothing more; a brief not yet handed in follows a changed due day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core.audit import record
from core.scoping import Action
from core.system import system_actor

from .calendar import calendar_for
from .models import MonthlyBrief, PeriodicReport


def _serialise_runs() -> None:
    """Two runs at once (two workers, a manual run beside the beat) take turns: the second counts what the first
    committed before it inserts, so each run reports only the rows it created. A transaction-level advisory lock
    on PostgreSQL (released at commit); SQLite, the development default, writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('evaluation.reports.open_periods'))")


@dataclass
class OpenResult:
    briefs: int = 0
    reports: int = 0
    redated: int = 0


def open_periods(today: dt.date | None = None, division: str = "") -> OpenResult:
    actor = system_actor()
    today = today or timezone.localdate()
    dues: list[Any] = [
        d for d in calendar_for(actor, division, today.year) if d.owner_id is not None and d.opens <= today <= d.due
    ]
    now = timezone.now()
    briefs = [
        MonthlyBrief(
            station_id=d.station_id,
            contract_id=d.contract_id,
            agency_id=d.owner_id,
            division_id=d.division,
            period=d.period,
            due_date=d.due,
            rule_key=d.rule_key,
            clause=d.clause,
            created_at=now,
        )
        for d in dues
        if d.kind == "monthly_brief"
    ]
    reports = [
        PeriodicReport(
            kind=d.kind,
            period=d.period,
            period_label=d.period_label,
            station_id=d.station_id,
            contract_id=d.contract_id,
            owner_id=d.owner_id,
            agency_id=d.owner_id if d.kind in ("mid_term_report", "final_report", "self_evaluation") else None,
            recipient_id=d.owed_to_id,
            division_id=d.division,
            notify_division_id=d.county
            if d.kind in ("mid_term_report", "final_report", "self_evaluation")
            else d.county[:4],
            due_date=d.due,
            rule_key=d.rule_key,
            clause=d.clause,
            created_at=now,
        )
        for d in dues
        if d.kind != "monthly_brief"
    ]
    result = OpenResult()
    with transaction.atomic():
        _serialise_runs()
        before_b = MonthlyBrief.objects.for_user(actor, Action.VIEW).count()
        before_r = PeriodicReport.objects.for_user(actor, Action.VIEW).count()
        MonthlyBrief.objects.bulk_create(briefs, ignore_conflicts=True, batch_size=2000)
        PeriodicReport.objects.bulk_create(reports, ignore_conflicts=True, batch_size=2000)
        result.briefs = MonthlyBrief.objects.for_user(actor, Action.VIEW).count() - before_b
        result.reports = PeriodicReport.objects.for_user(actor, Action.VIEW).count() - before_r
        # A brief not yet handed in follows the policy's due day (e.g. the county changed its day).
        open_briefs = MonthlyBrief.objects.for_user(actor, Action.CHANGE).exclude(state__in=MonthlyBrief.HANDED_IN)
        wanted = {(d.station_id, d.period): d.due for d in dues if d.kind == "monthly_brief"}
        stale = [
            b
            for b in open_briefs.filter(period__in={p for _, p in wanted}).only(
                "pk", "station_id", "period", "due_date"
            )
            if wanted.get((b.station_id, b.period), b.due_date) != b.due_date
        ]
        for b in stale:
            b.due_date = wanted[(b.station_id, b.period)]
        MonthlyBrief.objects.bulk_update(stale, ["due_date"])
        result.redated = len(stale)
        if result.briefs or result.reports or result.redated:
            record(
                acting_user=actor,
                event="create",
                object_type="evaluation.MonthlyBrief",
                object_repr=f"开启报告期：{today.isoformat()}",
                changes={"today": today, "briefs": result.briefs, "reports": result.reports, "redated": result.redated},
            )
    return result
