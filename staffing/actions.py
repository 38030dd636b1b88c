"""Every write about resident social workers (STYLE.md "Writes, reads, tasks").

An agency registers its workers, edits them, records certificates, places them at the stations it holds a
contract for, and ends a placement with its reason (a replacement when someone takes over) [000 §6(3)].
Each action re-reads its object ``for_user`` inside the transaction, audits one row per change (personal values
masked) and re-checks the scope after saving.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from accounts.roles import organisation_of
from core import audit
from core.actions import check_state, declare
from core.scoping import Action, Role
from stations.models import Station

from .models import (
    Assignment,
    AverageWage,
    Certificate,
    LabourContract,
    PayRecord,
    RecruitmentPlan,
    Replacement,
    SocialWorker,
    StaffRole,
    TrainingRecord,
)

EDITABLE_FIELDS = [
    "name",
    "id_number",
    "phone",
    "education",
    "major",
    "social_work_major",
    "graduation_year",
    "household_division_id",
    "hired_on",
]


def _recheck(user: User, worker: SocialWorker) -> None:
    if not SocialWorker.objects.for_user(user, Action.CHANGE).filter(pk=worker.pk).exists():
        raise PermissionDenied("保存后的记录不在您的权限范围内。")


def _locked(user: User, worker: SocialWorker) -> SocialWorker:
    current = SocialWorker.objects.for_user(user, Action.CHANGE).select_for_update().filter(pk=worker.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该社工。")
    return current


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    return data


@declare("staffing.worker.create", label="登记驻站社工", model=SocialWorker, verb=Action.ADD, detail=False)
@transaction.atomic
def worker_create(*, acting_user: User, data: dict[str, Any]) -> SocialWorker:
    """A worker of the acting agency; works where the agency is until placed at a station."""
    agency = organisation_of(acting_user)
    worker = SocialWorker(agency=agency, division_id=agency.division_id, **_fields(data))
    worker.full_clean()
    worker.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=worker,
        subject=worker,
        division_code=worker.division_id,
        changes=audit.snapshot(worker, ["name", "id_number", "phone", "education", "hired_on"]),
    )
    _recheck(acting_user, worker)
    return worker


@declare("staffing.worker.update", label="修改社工信息", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def worker_update(*, acting_user: User, worker: SocialWorker, data: dict[str, Any]) -> SocialWorker:
    current = _locked(acting_user, worker)
    before = audit.snapshot(current, EDITABLE_FIELDS)
    for name, value in _fields(data).items():
        setattr(current, name, value)
    if "id_number" in data:
        current.birth_date, current.sex = None, ""
    current.full_clean()
    changes = audit.diff(before, audit.snapshot(current, EDITABLE_FIELDS))
    if changes:
        names = [n for n in EDITABLE_FIELDS if n in changes]
        extra = ["birth_date", "sex"] if "id_number" in changes else []
        current.save(update_fields=[*names, *extra, "updated_at"])
        audit.record(
            acting_user=acting_user,
            event="update",
            obj=current,
            subject=current,
            division_code=current.division_id,
            changes=changes,
        )
    _recheck(acting_user, current)
    return current


@declare("staffing.worker.add_certificate", label="登记证书", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def certificate_add(
    *, acting_user: User, worker: SocialWorker, level: str, number: str, obtained_on: dt.date
) -> Certificate:
    current = _locked(acting_user, worker)
    cert = Certificate(worker=current, level=level, number=number.strip(), obtained_on=obtained_on)
    cert.full_clean()
    cert.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=cert,
        subject=current,
        division_code=current.division_id,
        changes={"level": level, "number": cert.number, "obtained_on": obtained_on},
    )
    return cert


def _contract_for(agency_id: int, station: Station, on: dt.date) -> Any:
    from contracts.models import Contract

    return (
        Contract.objects.filter(
            agency_id=agency_id, stations=station, status=Contract.Status.ACTIVE, start_date__lte=on, end_date__gte=on
        )
        .order_by("-start_date")
        .first()
    )


def _place(acting_user: User, worker: SocialWorker, station: Station, role: str, start: dt.date) -> Assignment:
    if not Station.objects.for_user(acting_user, Action.VIEW).filter(pk=station.pk).exists():
        raise ValidationError({"station": "只能派驻到本机构承接（协议履行中）的站点。"})
    if role not in StaffRole.values:
        raise ValidationError({"role": "请选择岗位。"})
    if worker.status != SocialWorker.Status.EMPLOYED:
        raise ValidationError("已离职的社工不能派驻。")
    if start < worker.hired_on:
        raise ValidationError({"start_date": "到岗日期不能早于入职日期。"})
    if Assignment.objects.filter(worker=worker, end_date__isnull=True).exists():
        raise ValidationError("该社工已在岗，请先办理离岗或更换。")
    if Assignment.objects.filter(worker=worker, end_date__gte=start).exists():
        raise ValidationError({"start_date": "到岗日期须晚于该社工上一次离岗日期。"})
    if role == StaffRole.HEAD:
        head = Assignment.objects.filter(station=station, role=StaffRole.HEAD).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )
        if head.exists():
            raise ValidationError({"role": "该站点已有站长在岗。"})
    contract = _contract_for(worker.agency_id, station, start)
    assignment = Assignment(
        worker=worker, station=station, agency_id=worker.agency_id, contract=contract, role=role, start_date=start
    )
    assignment.full_clean()
    assignment.save()
    worker.station, worker.division_id = station, station.division_id
    worker.save(update_fields=["station", "division", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="assign",
        obj=assignment,
        subject=worker,
        division_code=station.division_id,
        changes={"station": station.name, "role": role, "start_date": start},
    )
    return assignment


@declare("staffing.worker.assign", label="派驻到站", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def worker_assign(
    *, acting_user: User, worker: SocialWorker, station: Station, role: str, start_date: dt.date
) -> Assignment:
    current = _locked(acting_user, worker)
    assignment = _place(acting_user, current, station, role, start_date)
    _recheck(acting_user, current)
    return assignment


@declare("staffing.worker.release", label="离岗或更换", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def worker_release(
    *,
    acting_user: User,
    worker: SocialWorker,
    end_date: dt.date,
    reason: str,
    note: str = "",
    successor: SocialWorker | None = None,
    leaves_agency: bool = False,
) -> Replacement:
    """End the worker's current placement with its reason; a successor (of the same agency) takes the same
    role at the station from the same day. ``leaves_agency``: the worker also leaves the employer."""
    current = _locked(acting_user, worker)
    if reason not in Replacement.Reason.values:
        raise ValidationError({"reason": "请选择更换原因。"})
    if reason == Replacement.Reason.OTHER and not note.strip():
        raise ValidationError({"note": "选择“其他原因”时须填写说明。"})
    outgoing = Assignment.objects.select_for_update().filter(worker=current, end_date__isnull=True).first()
    if outgoing is None:
        raise ValidationError("该社工目前不在岗。")
    if end_date < outgoing.start_date:
        raise ValidationError({"end_date": "离岗日期不能早于到岗日期。"})
    outgoing.end_date = end_date
    outgoing.end_reason = Replacement.Reason(reason).label
    outgoing.full_clean()
    outgoing.save(update_fields=["end_date", "end_reason"])
    station = outgoing.station
    current.station = None
    current.division_id = current.agency.division_id
    fields = ["station", "division", "updated_at"]
    if leaves_agency:
        current.status, current.left_on = SocialWorker.Status.LEFT, end_date
        fields += ["status", "left_on"]
    current.full_clean()
    current.save(update_fields=fields)
    incoming = None
    if successor is not None:
        other = _locked(acting_user, successor)
        if other.pk == current.pk:
            raise ValidationError({"successor": "接替人不能是本人。"})
        incoming = _place(acting_user, other, station, outgoing.role, end_date)
    replacement = Replacement(
        station=station,
        agency_id=outgoing.agency_id,
        outgoing=outgoing,
        incoming=incoming,
        date=end_date,
        reason=reason,
        note=note.strip(),
    )
    replacement.full_clean()
    replacement.save()
    audit.record(
        acting_user=acting_user,
        event="release",
        obj=replacement,
        subject=current,
        division_code=station.division_id,
        changes={
            "station": station.name,
            "end_date": end_date,
            "reason": reason,
            "successor": successor.name if successor else "",
            "leaves_agency": leaves_agency,
        },
    )
    return replacement


MAX_UPLOAD = 5 * 1024 * 1024


@declare("staffing.roster.import", label="导入花名册", model=SocialWorker, verb=Action.ADD, detail=False)
@transaction.atomic
def roster_import(*, acting_user: User, upload: Any) -> list[SocialWorker]:
    """All or nothing: every row checked first (row/column messages in Chinese), then every worker created in
    one transaction; any refusal (a number already registered) rolls the whole file back."""
    from . import roster

    size = getattr(upload, "size", None)
    if size is not None and size > roster.LIMITS["max_bytes"]:
        raise ValidationError(f"文件超过 {roster.LIMITS['max_bytes'] // 1024 // 1024} MB，请拆分后再导入。")
    content = upload.read(roster.LIMITS["max_bytes"] + 1)
    rows = roster.parse(content)
    agency = organisation_of(acting_user)
    errors: list[str] = []
    created: list[SocialWorker] = []
    for r in rows:
        worker = SocialWorker(agency=agency, division_id=agency.division_id, **r.data)
        try:
            worker.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = (
                    str(getattr(SocialWorker._meta.get_field(field), "verbose_name", field))
                    if field != "__all__"
                    else ""
                )
                errors.extend(f"第 {r.row} 行{('（' + label + '）') if label else ''}：{m}" for m in messages)
            continue
        worker.save()
        created.append(worker)
        if r.certificate:
            cert = Certificate(worker=worker, **r.certificate)
            try:
                cert.full_clean()
            except ValidationError as exc:
                errors.extend(f"第 {r.row} 行（证书）：{m}" for m in exc.messages)
                continue
            cert.save()
    if errors:
        raise ValidationError(errors[:200])
    audit.record(
        acting_user=acting_user,
        event="import",
        object_type=SocialWorker._meta.label,
        object_repr=f"花名册导入 {len(created)} 人",
        division_code=agency.division_id,
        changes={"count": len(created), "names": [w.name for w in created][:50]},
    )
    for w in created:
        _recheck(acting_user, w)
    return created


# --- employment duties -------------------------------------------------------------------------------------------


def _add_record(acting_user: User, worker: SocialWorker, record: Any, changes: dict[str, Any]) -> Any:
    record.full_clean()
    record.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=record,
        subject=worker,
        division_code=worker.division_id,
        changes=changes,
    )
    return record


def _replace_record(acting_user: User, worker: SocialWorker, record: Any, values: dict[str, Any]) -> Any:
    before = audit.snapshot(record, list(values))
    for name, value in values.items():
        setattr(record, name, value)
    record.full_clean()
    record.save(update_fields=list(values))
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=record,
        subject=worker,
        division_code=worker.division_id,
        changes=audit.diff(before, audit.snapshot(record, list(values))),
    )
    return record


@declare("staffing.worker.add_labour_contract", label="登记劳动合同", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def labour_contract_add(
    *, acting_user: User, worker: SocialWorker, start_date: dt.date, end_date: dt.date | None, probation_months: int
) -> LabourContract:
    """Record a labour contract; the same start date again records a change of that contract (变更劳动合同, e.g. a
    probation shortened to the policy's limit) in its place, audited as a change."""
    current = _locked(acting_user, worker)
    existing = LabourContract.objects.select_for_update().filter(worker=current, start_date=start_date).first()
    if existing is not None:
        return _replace_record(
            acting_user, current, existing, {"end_date": end_date, "probation_months": probation_months}
        )
    record = LabourContract(worker=current, start_date=start_date, end_date=end_date, probation_months=probation_months)
    changes = {"start_date": start_date, "end_date": end_date, "probation_months": probation_months}
    return _add_record(acting_user, current, record, changes)


@declare("staffing.worker.add_pay", label="登记工资与社保", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def pay_add(
    *,
    acting_user: User,
    worker: SocialWorker,
    month: dt.date,
    gross_pay: Any,
    insurance_paid: bool,
    housing_fund_paid: bool = False,
    performance_withheld: Any = 0,
) -> PayRecord:
    """Record a month's pay; the same month again corrects that month's record (audited as a change)."""
    current = _locked(acting_user, worker)
    existing = PayRecord.objects.select_for_update().filter(worker=current, month=month.replace(day=1)).first()
    if existing is not None:
        values = {
            "gross_pay": gross_pay,
            "insurance_paid": insurance_paid,
            "housing_fund_paid": housing_fund_paid,
            "performance_withheld": performance_withheld or 0,
        }
        return _replace_record(acting_user, current, existing, values)
    record = PayRecord(
        worker=current,
        month=month.replace(day=1),
        gross_pay=gross_pay,
        insurance_paid=insurance_paid,
        housing_fund_paid=housing_fund_paid,
        performance_withheld=performance_withheld or 0,
    )
    changes = {"month": month.replace(day=1), "gross_pay": gross_pay, "insurance_paid": insurance_paid}
    return _add_record(acting_user, current, record, changes)


@declare("staffing.worker.add_training", label="登记培训与督导", model=SocialWorker, verb=Action.CHANGE)
@transaction.atomic
def training_add(
    *, acting_user: User, worker: SocialWorker, date: dt.date, kind: str, level: str, hours: Any, topic: str
) -> TrainingRecord:
    current = _locked(acting_user, worker)
    record = TrainingRecord(worker=current, date=date, kind=kind, level=level, hours=hours, topic=topic.strip())
    return _add_record(acting_user, current, record, {"date": date, "kind": kind, "hours": hours, "topic": topic})


@declare("staffing.wage.set", label="登记当地平均工资", model=AverageWage, verb=Action.ADD, detail=False)
@transaction.atomic
def average_wage_set(*, acting_user: User, year: int, amount: Any, source: str = "") -> AverageWage:
    """The county bureau records its county's average wage of a year (a second entry for the year replaces it)."""
    division_id = organisation_of(acting_user).division_id
    if len(division_id) != 6:
        raise PermissionDenied("只有县级民政局登记本县平均工资。")
    row = AverageWage.objects.select_for_update().filter(division_id=division_id, year=year).first()
    before = audit.snapshot(row, ["amount", "source"]) if row else {}
    row = row or AverageWage(division_id=division_id, year=year)
    row.amount, row.source = amount, source.strip()
    row.full_clean()
    row.save()
    audit.record(
        acting_user=acting_user,
        event="update" if before else "create",
        obj=row,
        division_code=division_id,
        changes=audit.diff(before, audit.snapshot(row, ["year", "amount", "source"])),
    )
    if not AverageWage.objects.for_user(acting_user, Action.CHANGE).filter(pk=row.pk).exists():
        raise PermissionDenied("保存后的记录不在您的权限范围内。")
    return row


# --- recruitment plans filed with the county bureau [000 §6(3)] ----------------------------------------------------

PLAN_FIELDS = [
    "division_id",
    "year",
    "heads",
    "full_time",
    "part_time",
    "announce_on",
    "interview_on",
    "start_on",
    "conditions",
]
PlanState = RecruitmentPlan.State


def plan_counties(user: User) -> list[str]:
    """The counties an agency recruits for: where the stations it sees lie, and its own county."""
    codes = {code[:6] for code in Station.objects.for_user(user, Action.VIEW).values_list("division_id", flat=True)}
    org = getattr(user, "organisation", None)
    if org is not None and len(org.division_id or "") >= 6:
        codes.add(org.division_id[:6])
    return sorted(codes)


def _plan_fields(user: User, plan: RecruitmentPlan, data: dict[str, Any], stations: Any) -> list[Station]:
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(plan, name, value)
    if plan.division_id not in plan_counties(user):
        raise PermissionDenied("只能为本机构所在或承接站点所在的县（市、区）制定招聘方案。")
    chosen = list(stations or [])
    visible = set(
        Station.objects.for_user(user, Action.VIEW).filter(pk__in=[s.pk for s in chosen]).values_list("pk", flat=True)
    )
    for station in chosen:
        if station.pk not in visible or not str(station.division_id).startswith(plan.division_id):
            raise ValidationError({"stations": f"“{station.name}”不是本机构可见的、该县的站点。"})
    plan.full_clean(exclude=["agency"])
    return chosen


def _plan_locked(user: User, plan: RecruitmentPlan) -> RecruitmentPlan:
    current = RecruitmentPlan.objects.for_user(user, Action.CHANGE).select_for_update().filter(pk=plan.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该招聘方案。")
    return current


def _plan_recheck(user: User, plan: RecruitmentPlan) -> None:
    if not RecruitmentPlan.objects.for_user(user, Action.VIEW).filter(pk=plan.pk).exists():
        raise PermissionDenied("保存后的记录不在您的权限范围内。")


def _plan_snapshot(plan: RecruitmentPlan) -> dict[str, Any]:
    return audit.snapshot(plan, [*PLAN_FIELDS, "state"])


@declare(
    "staffing.recruitment_plan.create",
    label="制定招聘方案",
    model=RecruitmentPlan,
    verb=Action.ADD,
    roles=[Role.AGENCY],
    detail=False,
)
@transaction.atomic
def recruitment_plan_create(*, acting_user: User, data: dict[str, Any], stations: Any = ()) -> RecruitmentPlan:
    """A draft plan of the acting agency (only the agency sees it until it is filed)."""
    agency = organisation_of(acting_user)
    plan = RecruitmentPlan(agency=agency)
    chosen = _plan_fields(acting_user, plan, data, stations)
    plan.save()
    plan.stations.set(chosen)
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=plan,
        division_code=plan.division_id,
        changes={**_plan_snapshot(plan), "stations": [s.name for s in chosen]},
    )
    _plan_recheck(acting_user, plan)
    return plan


@declare(
    "staffing.recruitment_plan.update",
    label="修改招聘方案",
    model=RecruitmentPlan,
    verb=Action.CHANGE,
    roles=[Role.AGENCY],
    state_field="state",
    states=[PlanState.DRAFT],
)
@transaction.atomic
def recruitment_plan_update(
    *, acting_user: User, plan: RecruitmentPlan, data: dict[str, Any], stations: Any = None
) -> RecruitmentPlan:
    current = _plan_locked(acting_user, plan)
    check_state("staffing.recruitment_plan.update", current)
    before = {**_plan_snapshot(current), "stations": sorted(s.name for s in current.stations.all())}
    chosen = _plan_fields(acting_user, current, data, current.stations.all() if stations is None else stations)
    current.save()
    current.stations.set(chosen)
    changes = audit.diff(before, {**_plan_snapshot(current), "stations": sorted(s.name for s in chosen)})
    if changes:
        audit.record(
            acting_user=acting_user, event="update", obj=current, division_code=current.division_id, changes=changes
        )
    _plan_recheck(acting_user, current)
    return current


@declare(
    "staffing.recruitment_plan.file",
    label="报县民政局备案",
    model=RecruitmentPlan,
    verb=Action.CHANGE,
    roles=[Role.AGENCY],
    state_field="state",
    states=[PlanState.DRAFT],
)
@transaction.atomic
def recruitment_plan_file(*, acting_user: User, plan: RecruitmentPlan, on: dt.date | None = None) -> RecruitmentPlan:
    """The agency files its plan with the county bureau: from now on the bureau sees it and it can no longer be
    changed (a changed plan is a new plan)."""
    from django.utils import timezone

    current = _plan_locked(acting_user, plan)
    check_state("staffing.recruitment_plan.file", current)
    current.state, current.filed_on, current.filed_by = PlanState.FILED, on or timezone.localdate(), acting_user
    current.full_clean(exclude=["agency"])
    current.save(update_fields=["state", "filed_on", "filed_by", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.division_id,
        changes={"state": [PlanState.DRAFT, PlanState.FILED], "filed_on": current.filed_on},
    )
    _plan_recheck(acting_user, current)
    return current


@declare(
    "staffing.recruitment_plan.acknowledge",
    label="确认备案",
    model=RecruitmentPlan,
    verb=Action.CHANGE,
    roles=[Role.COUNTY_BUREAU],
    state_field="state",
    states=[PlanState.FILED],
)
@transaction.atomic
def recruitment_plan_acknowledge(
    *, acting_user: User, plan: RecruitmentPlan, note: str = "", on: dt.date | None = None
) -> RecruitmentPlan:
    """The county bureau of the plan's county acknowledges the filing, with its remarks if any."""
    from django.utils import timezone

    current = _plan_locked(acting_user, plan)
    check_state("staffing.recruitment_plan.acknowledge", current)
    if organisation_of(acting_user).division_id != current.division_id:
        raise PermissionDenied("只有方案所在县的民政局可以确认备案。")
    current.state = PlanState.ACKNOWLEDGED
    current.acknowledged_on, current.acknowledged_by = on or timezone.localdate(), acting_user
    current.acknowledge_note = note.strip()
    current.full_clean(exclude=["agency"])
    current.save(update_fields=["state", "acknowledged_on", "acknowledged_by", "acknowledge_note", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.division_id,
        changes={
            "state": [PlanState.FILED, PlanState.ACKNOWLEDGED],
            "acknowledged_on": current.acknowledged_on,
            "acknowledge_note": current.acknowledge_note,
        },
    )
    _plan_recheck(acting_user, current)
    return current
