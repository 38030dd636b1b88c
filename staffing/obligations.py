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

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
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
    # Two sweeps at once (the beat job and a manual run) may both create a station's first check: the second one
    # updates it instead of failing.
    StaffingCheck.objects.bulk_create(
        create,
        update_conflicts=True,
        unique_fields=["station"],
        update_fields=["adequate", "short", "short_since", "summary", "clause", "checked_on"],
    )
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
    register_worker_kinds()


# --- per worker: the certificate within the grace period, the labour contract ------------------------------------


def _county_rules(actor: Any, key: str) -> dict[str, Any]:
    """{county code: value of ``key``} for the counties where the actor's employed workers work (one policy read per
    county, a fixed number of queries per county)."""
    from django.db.models.functions import Substr as _Substr

    from .models import SocialWorker

    counties = (
        SocialWorker.objects.for_user(actor, Action.VIEW)
        .filter(status=SocialWorker.Status.EMPLOYED)
        .annotate(county=_Substr("division_id", 1, 6))
        .values_list("county", flat=True)
        .distinct()
    )
    from .selectors import effective_policies

    out: dict[str, Any] = {}
    for county, policy in effective_policies(list(counties)).items():
        value = policy.get(key)
        if value:
            rule = policy.rules[key]
            out[county] = (value, policy, rule.citation_text or rule.clause)
    return out


def _worker_link() -> Concat:
    import uuid

    from django.db.models.functions import Cast
    from django.urls import reverse

    sample = uuid.UUID(int=0)
    head, tail = reverse("staffing:worker-detail", args=[sample]).split(str(sample))
    return Concat(Value(head), Cast("public_id", CharField()), Value(tail), output_field=CharField())


def _by_county(counties: dict[str, Any], expression: Any, default: Any, output: Any) -> Any:
    from django.db.models import Case, When

    whens = [When(division__pk__startswith=c, then=expression(c, v)) for c, v in counties.items()]
    return Case(*whens, default=default, output_field=output) if whens else default


def certificate_rows(actor: Any, today: dt.date) -> QuerySet[Any]:
    from django.db.models import Case, DateField, Exists, When

    from .models import Certificate, SocialWorker
    from .policy import grace_due

    required = {
        c: (v, p, clause)
        for c, (v, p, clause) in _county_rules(actor, "staff.certificate").items()
        if v == "required_within_grace" and p.get("staff.certificate_grace_years")
    }
    years = {c: int(p.get("staff.certificate_grace_years")) for c, (_v, p, _cl) in required.items()}
    q = Q(pk__in=[])  # nothing owed where no policy asks (the annotations stay for the sweep)
    for county in required:
        q |= Q(division__pk__startswith=county)
    owing = (
        SocialWorker.objects.for_user(actor, Action.VIEW)
        .filter(q, status=SocialWorker.Status.EMPLOYED)
        .exclude(Exists(Certificate.objects.filter(worker=OuterRef("pk"))))
    )
    # The last day by the calendar rules (Civil Code arts. 201-203, workdays), once per county and hire date.
    pairs = owing.annotate(county=Substr("division_id", 1, 6)).values_list("county", "hired_on").distinct()
    whens = [
        When(division__pk__startswith=county, hired_on=hired, then=Value(grace_due(hired, years[county])[0]))
        for county, hired in pairs
        if county in years
    ]
    from django.db.models.functions import Cast

    # Cast: with no row owing the CASE is a bare NULL, which PostgreSQL would type as text.
    due = Cast(Case(*whens, default=Value(None), output_field=DateField()), DateField())
    clause = _by_county({c: v[2] for c, v in required.items()}, lambda c, text: Value(text), Value(""), CharField())
    return owing.annotate(
        ob_object_id=F("pk"),
        ob_period=Value("", output_field=CharField()),
        ob_title=Concat("name", Value("：取得社会工作者职业水平证书"), output_field=CharField()),
        ob_owner_id=F("agency_id"),
        ob_division_id=F("division_id"),
        ob_notify_division_id=Substr("division_id", 1, 6),
        ob_due_date=due,
        ob_rule_key=Value("staff.certificate_grace_years", output_field=CharField()),
        ob_clause=clause,
        ob_link=_worker_link(),
    )


def _contract_in_force(on: Any) -> Exists:
    """The worker has a labour contract in force on ``on`` (a date or a date expression)."""
    from .models import LabourContract

    return Exists(
        LabourContract.objects.filter(worker=OuterRef("pk"), start_date__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )
    )


def _today() -> Any:
    from django.db.models.functions import Now, TruncDate

    # Today in the project's time zone (Asia/Shanghai), not the connection's UTC: between 00:00 and 08:00 in
    # China the two dates differ.
    return TruncDate(Now())


def labour_contract_rows(actor: Any, today: dt.date) -> QuerySet[Any]:
    """A worker in post (placed at a station) with no labour contract in force today, owed by the employer agency:
    due the hire date when there never was one, else the last day of the contract that lapsed."""
    from django.db.models import DateField, Max
    from django.db.models.functions import Coalesce

    from .models import LabourContract, SocialWorker

    required = _county_rules(actor, "staff.labour_contract")
    q = Q(pk__in=[])  # nothing owed where no policy asks (the annotations stay for the sweep)
    for county in required:
        q |= Q(division__pk__startswith=county)
    clause = _by_county({c: v[2] for c, v in required.items()}, lambda c, text: Value(text), Value(""), CharField())
    last_end = (
        LabourContract.objects.filter(worker=OuterRef("pk"), end_date__lt=today)
        .order_by()
        .values("worker")
        .annotate(last=Max("end_date"))
        .values("last")[:1]
    )
    return (
        SocialWorker.objects.for_user(actor, Action.VIEW)
        .filter(q, status=SocialWorker.Status.EMPLOYED, station__isnull=False)
        .exclude(_contract_in_force(today))
        .annotate(
            ob_object_id=F("pk"),
            ob_period=Value("", output_field=CharField()),
            ob_title=Concat("name", Value("：签订劳动合同（在岗但无有效劳动合同）"), output_field=CharField()),
            ob_owner_id=F("agency_id"),
            ob_division_id=F("division_id"),
            ob_notify_division_id=Substr("division_id", 1, 6),
            ob_due_date=Coalesce(Subquery(last_end, output_field=DateField()), F("hired_on")),
            ob_rule_key=Value("staff.labour_contract", output_field=CharField()),
            ob_clause=clause,
            ob_link=_worker_link(),
        )
    )


def register_worker_kinds() -> None:
    from obligations.registry import ObligationKind, register

    from .models import SocialWorker

    left = Q(status=SocialWorker.Status.LEFT)
    register(
        ObligationKind(
            key="staffing.certificate",
            label="限期取得职业水平证书",
            model=SocialWorker,
            rows=certificate_rows,
            done=Q(certificates__isnull=False),
            void=left,
            void_reason="社工已离职。",
            description="在社工页面登记证书即视为完成。",
        )
    )
    register(
        ObligationKind(
            key="staffing.labour_contract",
            label="签订劳动合同",
            model=SocialWorker,
            rows=labour_contract_rows,
            done=Q(_contract_in_force(_today())),
            void=left | Q(station__isnull=True),
            void_reason="社工已离职或已不在岗。",
            description="在社工页面登记当前有效的劳动合同（开始日期不晚于今天、未到期）即视为完成。",
        )
    )
    from .duties import register_duty_kinds

    register_duty_kinds()
