"""A township station short of staff as an obligation kind (``staffing.short``).

The sweep first refreshes each township station's ``StaffingCheck`` from its current team and the effective
policy (staffing.selectors.station_adequacy: a fixed number of queries), then owes one obligation per station
whose check found a clear shortfall. Who owes it: the agency holding the station's contract in force (else
nobody known, and the county bureau is told); the township and the county bureau see it in their subtree.
Done when the station's check is adequate again; waived when the station closes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Substr

from core.scoping import Action

from .models import StaffingCheck


def refresh_checks(actor: Any, today: dt.date) -> None:
    from stations.models import Station

    from .policy import shortfall
    from .selectors import station_adequacy

    stations = list(
        Station.objects.for_user(actor, Action.VIEW)
        .filter(level=Station.Level.TOWNSHIP, status=Station.Status.OPERATING)
        .order_by("pk")
    )
    existing = {c.station_id: c for c in StaffingCheck.objects.filter(station__in=stations)}
    create, update = [], []
    for station, _members, result, _villages in station_adequacy(stations, today):
        short = shortfall(result)
        failing = [f for f in result.findings if f.outcome == "fail"] or result.findings
        summary = "；".join(f.message for f in failing)[:500]
        clause = next((f.citation for f in failing if f.citation), "")[:200]
        check = existing.get(station.pk)
        if check is None:
            create.append(
                StaffingCheck(
                    station=station,
                    adequate=result.adequate,
                    short=short,
                    short_since=today if short else None,
                    summary=summary,
                    clause=clause,
                    checked_on=today,
                )
            )
            continue
        check.short_since = (check.short_since or today) if short else None
        check.adequate, check.short, check.summary, check.clause, check.checked_on = (
            result.adequate,
            short,
            summary,
            clause,
            today,
        )
        update.append(check)
    StaffingCheck.objects.bulk_create(create)
    StaffingCheck.objects.bulk_update(
        update, ["adequate", "short", "short_since", "summary", "clause", "checked_on"], batch_size=500
    )


def short_rows(actor: Any, today: dt.date) -> QuerySet[StaffingCheck]:
    from contracts.models import Contract
    from obligations.registry import url_expression

    refresh_checks(actor, today)
    agency = (
        Contract.objects.filter(
            stations=OuterRef("station_id"),
            status=Contract.Status.ACTIVE,
            start_date__lte=today,
            end_date__gte=today,
        )
        .order_by("-start_date", "pk")
        .values("agency_id")[:1]
    )
    return (
        StaffingCheck.objects.for_user(actor, Action.VIEW)
        .filter(short=True, short_since__isnull=False)
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=Concat("station__name", Value("：驻站社工配备不足"), output_field=CharField()),
            ob_owner_id=Subquery(agency),
            ob_division_id=F("station__division_id"),
            ob_notify_division_id=Substr("station__division_id", 1, 6),
            ob_due_date=F("short_since"),
            ob_rule_key=Value("staff.formula", output_field=CharField()),
            ob_clause=F("clause"),
            ob_link=url_expression("staffing:station-team", "station_id"),
        )
    )


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    register(
        ObligationKind(
            key="staffing.short",
            label="驻站社工配备不足",
            model=StaffingCheck,
            rows=short_rows,
            done=Q(short=False),
            void=Q(station__status="closed"),
            void_reason="站点已关闭，不再需要配齐人员。",
            description="按政策配齐站长和驻站社工（派驻到站并登记证书）后，次日核对通过即视为完成。",
        )
    )
