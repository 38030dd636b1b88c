"""Writes of the services app: the catalogue (reference data loaded from services/data/catalogues), station
service lists, beneficiaries, service records, visits and escalations, cases and referrals."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from accounts.models import User
from core import audit
from core.actions import check_state, declare
from core.scoping import Action, Role, scope_of
from policies.policy import effective_policy
from stations.models import Division, Station

from . import policy as service_policy
from .models import (
    AGENCY,
    CONFIRMERS,
    Beneficiary,
    Case,
    Escalation,
    IncubatedOrganisation,
    Referral,
    ServiceCatalogue,
    ServiceDomain,
    ServiceItem,
    ServicePhoto,
    ServiceRecord,
    StationServiceList,
    Visit,
    VolunteerTeam,
    iso_week,
)

CATALOGUE_DIR = Path(__file__).resolve().parent / "data" / "catalogues"


@transaction.atomic
def load_catalogue(path: Path) -> ServiceCatalogue:
    """Load one catalogue file; idempotent."""
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogue, _ = ServiceCatalogue.objects.update_or_create(
        code=data["code"],
        defaults={"name": data["name"], "seed": data.get("seed", ""), "clause": data.get("clause", "")},
    )
    domain_codes = []
    for d_order, d in enumerate(data["domains"], start=1):
        domain, _ = ServiceDomain.objects.update_or_create(
            catalogue=catalogue,
            code=d["code"],
            defaults={
                "name": d["name"],
                "description": d.get("description", ""),
                "clause": d.get("clause", ""),
                "description_clause": d.get("description_clause", ""),
                "phase": d.get("phase", ""),
                "order": d_order,
            },
        )
        domain_codes.append(domain.code)
        item_codes = []
        for i_order, item in enumerate(d.get("items", []), start=1):
            ServiceItem.objects.update_or_create(
                domain=domain,
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "guideline": item.get("guideline", ""),
                    "targets": item.get("targets", "")[:200],
                    "order": i_order,
                },
            )
            item_codes.append(item["code"])
        ServiceItem.objects.filter(domain=domain).exclude(code__in=item_codes).delete()
    ServiceDomain.objects.filter(catalogue=catalogue).exclude(code__in=domain_codes).delete()
    return catalogue


def load_catalogues() -> list[ServiceCatalogue]:
    return [load_catalogue(p) for p in sorted(CATALOGUE_DIR.glob("*.json"))]


# --- station service lists, beneficiaries, records, visits, cases, referrals (issue 10) ----------------------
#
# Every write below is declared (core.actions), keyword-only, atomic, validated with full_clean(), audited, and
# re-checked against the caller's scope before the transaction commits (STYLE.md "Writes, reads, tasks").

L = StationServiceList.Status


def _recheck(user: User, obj: Model, verb: str) -> None:
    """After the write, the row must still be inside the user's scope for the verb, else roll back."""
    manager = type(obj)._default_manager
    if not manager.for_user(user, verb).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied("保存后的记录不在您的权限范围内。")


def _reread(model: type[Model], user: User, obj: Model, verb: str) -> Any:
    current = model._default_manager.for_user(user, verb).select_for_update().filter(pk=obj.pk).first()  # type: ignore[attr-defined]
    if current is None:
        raise PermissionDenied("不在您的权限范围内。")
    return current


def _station_in_reach(user: User, station: Station) -> Station:
    """The station the caller works for (an agency: through its contracts in force)."""
    current = Station.objects.for_user(user).filter(pk=station.pk).first()
    if current is None:
        raise PermissionDenied("该站点不在您的权限范围内。")
    return current


def allowed_items(station: Station) -> tuple[Any, str]:
    """The catalogue items a station may choose: those of the catalogue the policy in force names, with the
    citation; every catalogue's items where the policy names none (the list still goes to bureau and township)."""
    policy = effective_policy(station.division_id)
    code = service_policy.catalogue_code(policy)
    items = ServiceItem.objects.select_related("domain__catalogue")
    if code:
        rule = policy.rules[service_policy.CATALOGUE]
        return items.filter(domain__catalogue__code=code), rule.citation()
    return items.all(), "本地政策未指定服务清单，可从各地服务清单中选择"


def applicable_items(station: Station, day: Any) -> tuple[Any, str]:
    """The items professional work at a station may name on ``day``: those of the station's service list for that
    year once the county bureau and the township have confirmed it [002 §5]; until then, the catalogue the policy
    in force names (``allowed_items``: every catalogue's where it names none). With the citation."""
    confirmed = (
        StationServiceList.objects.filter(station=station, year=day.year, status=L.CONFIRMED).order_by("pk").first()
    )
    if confirmed is not None:
        return confirmed.items.select_related("domain__catalogue"), f"本站{confirmed.year}年服务清单（已确认）"
    return allowed_items(station)


def _check_items(station: Station, catalogue: ServiceCatalogue, items: list[ServiceItem]) -> None:
    allowed, citation = allowed_items(station)
    allowed_ids = set(allowed.filter(domain__catalogue=catalogue).values_list("pk", flat=True))
    if not allowed.filter(domain__catalogue=catalogue).exists():
        raise ValidationError({"catalogue": f"所选服务清单不适用于本站（{citation}）。"})
    outside = [i for i in items if i.pk not in allowed_ids]
    if outside:
        raise ValidationError({"items": f"“{outside[0].name}”不在本站适用的服务清单中（{citation}）。"})
    if not items:
        raise ValidationError({"items": "请至少选择一个服务项目。"})


@declare("services.list_create", label="制定站点服务清单", model=StationServiceList, verb=Action.ADD, detail=False)
@transaction.atomic
def service_list_create(
    *, acting_user: User, station: Station, year: int, catalogue: ServiceCatalogue, items: list[ServiceItem]
) -> StationServiceList:
    station = _station_in_reach(acting_user, station)
    _check_items(station, catalogue, items)
    service_list = StationServiceList(station=station, year=year, catalogue=catalogue)
    service_list.full_clean()
    service_list.save()
    service_list.items.set(items)
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=service_list,
        division_code=station.division_id,
        changes={"year": year, "catalogue": catalogue.code, "items": sorted(i.code for i in items)},
    )
    _recheck(acting_user, service_list, Action.ADD)
    return service_list


@declare(
    "services.list_update",
    label="修改站点服务清单",
    model=StationServiceList,
    verb=Action.CHANGE,
    state_field="status",
    states=[L.DRAFT, L.RETURNED],
)
@transaction.atomic
def service_list_update(
    *, acting_user: User, service_list: StationServiceList, items: list[ServiceItem]
) -> StationServiceList:
    current: StationServiceList = _reread(StationServiceList, acting_user, service_list, Action.CHANGE)
    check_state("services.list_update", current)
    _check_items(current.station, current.catalogue, items)
    before = sorted(current.items.values_list("code", flat=True))
    current.items.set(items)
    current.save(update_fields=["updated_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.station.division_id,
        changes={"items": {"before": before, "after": sorted(i.code for i in items)}},
    )
    _recheck(acting_user, current, Action.CHANGE)
    return current


@declare(
    "services.list_submit",
    label="报送县民政局和乡镇",
    model=StationServiceList,
    verb=Action.CHANGE,
    state_field="status",
    states=[L.DRAFT, L.RETURNED],
)
@transaction.atomic
def service_list_submit(*, acting_user: User, service_list: StationServiceList) -> StationServiceList:
    current: StationServiceList = _reread(StationServiceList, acting_user, service_list, Action.CHANGE)
    check_state("services.list_submit", current)
    if not current.items.exists():
        raise ValidationError("请先选择服务项目再报送。")
    before = current.status
    current.status = L.SUBMITTED
    current.submitted_at = timezone.now()
    current.bureau_confirmed_at = current.township_confirmed_at = None
    current.save(update_fields=["status", "submitted_at", "bureau_confirmed_at", "township_confirmed_at", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.station.division_id,
        changes={"status": {"before": before, "after": current.status}},
    )
    _recheck(acting_user, current, Action.CHANGE)
    return current


@declare(
    "services.list_confirm",
    label="确认服务清单",
    model=StationServiceList,
    verb="confirm",
    roles=CONFIRMERS,
    state_field="status",
    states=[L.SUBMITTED],
)
@transaction.atomic
def service_list_confirm(*, acting_user: User, service_list: StationServiceList) -> StationServiceList:
    """The county bureau and the township each confirm; the list is confirmed when both have [002 §5]."""
    current: StationServiceList = _reread(StationServiceList, acting_user, service_list, "confirm")
    check_state("services.list_confirm", current)
    now = timezone.now()
    field = "township_confirmed_at" if scope_of(acting_user).role == Role.TOWNSHIP else "bureau_confirmed_at"
    if getattr(current, field) is not None:
        raise ValidationError("您已确认过该服务清单。")
    setattr(current, field, now)
    if current.bureau_confirmed_at and current.township_confirmed_at:
        current.status = L.CONFIRMED
    current.save(update_fields=[field, "status", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.station.division_id,
        changes={field: str(now), "status": current.status},
    )
    _recheck(acting_user, current, "confirm")
    return current


@declare(
    "services.list_return",
    label="退回服务清单",
    model=StationServiceList,
    verb="confirm",
    roles=CONFIRMERS,
    state_field="status",
    states=[L.SUBMITTED],
)
@transaction.atomic
def service_list_return(*, acting_user: User, service_list: StationServiceList, comments: str) -> StationServiceList:
    current: StationServiceList = _reread(StationServiceList, acting_user, service_list, "confirm")
    check_state("services.list_return", current)
    if not comments.strip():
        raise ValidationError({"comments": "退回时请写明意见。"})
    current.status = L.RETURNED
    current.comments = comments.strip()[:2000]
    current.bureau_confirmed_at = current.township_confirmed_at = None
    current.save(update_fields=["status", "comments", "bureau_confirmed_at", "township_confirmed_at", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.station.division_id,
        changes={"status": {"before": L.SUBMITTED, "after": L.RETURNED}, "comments": current.comments},
    )
    _recheck(acting_user, current, "confirm")
    return current


# --- beneficiaries -------------------------------------------------------------------------------------------

BENEFICIARY_FIELDS = [
    "name",
    "id_number",
    "phone",
    "address",
    "birth_date",
    "sex",
    "categories",
    "household",
    "household_size",
    "risk_level",
    "self_care",
    "consent",
    "consent_by",
    "consent_date",
    "guardian_name",
    "active",
]


@declare("services.beneficiary_create", label="登记服务对象", model=Beneficiary, verb=Action.ADD, detail=False)
@transaction.atomic
def beneficiary_create(*, acting_user: User, station: Station, division: Division, data: dict[str, Any]) -> Beneficiary:
    station = _station_in_reach(acting_user, station)
    unknown = set(data) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise ValidationError(f"不可填写的字段：{', '.join(sorted(unknown))}")
    person = Beneficiary(station=station, division=division, **data)
    person.full_clean()
    person.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=person,
        subject=person,
        division_code=person.division_id,
        changes=audit.snapshot(person, ["name", "id_number", "phone", "categories", "risk_level", "consent"]),
    )
    _recheck(acting_user, person, Action.ADD)
    return person


@declare("services.beneficiary_update", label="修改服务对象", model=Beneficiary, verb=Action.CHANGE)
@transaction.atomic
def beneficiary_update(*, acting_user: User, beneficiary: Beneficiary, data: dict[str, Any]) -> Beneficiary:
    current: Beneficiary = _reread(Beneficiary, acting_user, beneficiary, Action.CHANGE)
    unknown = set(data) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(current, BENEFICIARY_FIELDS)
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean()
    after = audit.snapshot(current, BENEFICIARY_FIELDS)
    changed = [n for n in BENEFICIARY_FIELDS if before[n] != after[n]]
    if changed:
        # birth date and sex follow the ID number (clean()), so they are saved with it
        current.save(update_fields=sorted({*changed, "birth_date", "sex"}))
        audit.record(
            acting_user=acting_user,
            event="update",
            obj=current,
            subject=current,
            division_code=current.division_id,
            changes=audit.diff(before, after),
        )
    _recheck(acting_user, current, Action.CHANGE)
    return current


# --- service records -----------------------------------------------------------------------------------------


def _negative_list_check(station: Station, kind: str, admin_function: str) -> None:
    """Licensing, confirmation, approval and payment are never professional service [003 §3(2)]."""
    if not admin_function:
        return
    policy = effective_policy(station.division_id)
    functions = service_policy.negative_list(policy)
    if admin_function not in functions:
        raise ValidationError({"admin_function": "请选择负面清单中的行政职能。"})
    if kind != ServiceRecord.Kind.ADMIN:
        raise ValidationError(
            {
                "kind": f"“{admin_function}”属于不得由驻站社工行使的行政职能，不能记为专业服务"
                f"（{service_policy.negative_list_citation(policy)}）。"
            }
        )


def _service_list_check(station: Station, data: dict[str, Any], *, checklist_visit: bool) -> None:
    """Professional work (case, group, community, visit) names an item of the station's service list (or of the
    catalogue the policy names, until the list is confirmed); work outside it is administrative and can only be
    recorded as 行政事务 (the negative list's “administrative duties outside the list”, [003 §3(2)]). A home
    visit through the visit form (its checklist, the visit rule [004 §2]) may leave the item empty. Where the
    catalogue lists no items (Luzhou's names only domains), there is nothing to check against."""
    kind = data.get("kind", "")
    if kind not in ServiceRecord.PROFESSIONAL:
        return
    item = data.get("item")
    if item is None and checklist_visit:
        return
    items, list_citation = applicable_items(station, data.get("date") or timezone.localdate())
    if not items.exists():
        return
    if item is None or not items.filter(pk=item.pk).exists():
        clause = service_policy.negative_list_citation(effective_policy(station.division_id))
        named = "未选择服务项目" if item is None else f"“{item.code} {item.name}”不在本站服务清单中"
        raise ValidationError(
            {
                "item": f"{named}：专业服务须属于本站服务清单（{list_citation}）；清单外的行政性工作只能记为"
                f"“行政事务”，不能记为专业服务（{clause}）。"
            }
        )


def _existing_by_key(model: type[Model], user: User, client_key: Any) -> Any:
    """An offline draft sent twice: the second answer is the first save (idempotent by the draft's key)."""
    if not client_key:
        return None
    found = model._default_manager.for_user(user).filter(client_key=client_key).first()  # type: ignore[attr-defined]
    if found is None and model._default_manager.filter(client_key=client_key).exists():
        raise PermissionDenied("该草稿编号已被使用。")
    return found


def _workers(acting_user: User, station: Station, workers: list[Any] | None) -> list[Any]:
    """The social workers named on a record: employed, visible to the caller, working at the station or for the
    caller's agency. None given: the worker whose account enters the record, if the account is a worker's."""
    from staffing.models import SocialWorker

    if workers is None:
        own = SocialWorker.objects.for_user(acting_user).filter(user=acting_user).first()
        return [own] if own is not None else []
    ids = [w.pk for w in workers]
    found = list(
        SocialWorker.objects.for_user(acting_user)
        .filter(pk__in=ids)
        .filter(Q(station=station) | Q(agency_id=getattr(acting_user, "organisation_id", None)))
    )
    if len(found) != len(set(ids)):
        raise ValidationError({"workers": "服务社工须是本站或本机构的社工。"})
    return found


RECORD_FIELDS = ["kind", "date", "hours", "item", "admin_function", "village", "participants", "title", "notes"]


@declare("services.record_create", label="登记服务记录", model=ServiceRecord, verb=Action.ADD, detail=False)
@transaction.atomic
def record_create(
    *,
    acting_user: User,
    station: Station,
    data: dict[str, Any],
    beneficiaries: list[Beneficiary] | None = None,
    workers: list[Any] | None = None,
    client_key: Any = None,
) -> ServiceRecord:
    return _record_create(acting_user, station, data, beneficiaries, workers, client_key, checklist_visit=False)


def _record_create(
    acting_user: User,
    station: Station,
    data: dict[str, Any],
    beneficiaries: list[Beneficiary] | None,
    workers: list[Any] | None,
    client_key: Any,
    *,
    checklist_visit: bool,
) -> ServiceRecord:
    existing = _existing_by_key(ServiceRecord, acting_user, client_key)
    if existing is not None:
        return existing
    station = _station_in_reach(acting_user, station)
    unknown = set(data) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(f"不可填写的字段：{', '.join(sorted(unknown))}")
    _negative_list_check(station, data.get("kind", ""), data.get("admin_function", ""))
    _service_list_check(station, data, checklist_visit=checklist_visit)
    people = list(beneficiaries or [])
    if people:
        visible = set(
            Beneficiary.objects.for_user(acting_user).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
        )
        if any(p.pk not in visible or p.station_id != station.pk for p in people):
            raise ValidationError({"beneficiaries": "服务对象须是本站登记的服务对象。"})
    staff = _workers(acting_user, station, workers)
    record = ServiceRecord(station=station, recorded_by=acting_user, client_key=client_key or None, **data)
    if record.village_id and not record.village_id.startswith(station.division_id[:9]):
        raise ValidationError({"village": "村（社区）须在本站所在乡镇（街道）。"})
    if not record.participants and people:
        record.participants = len(people)
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError("该草稿已提交。") from None
    if people:
        record.beneficiaries.set(people)
    if staff:
        record.workers.set(staff)
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=record,
        division_code=station.division_id,
        changes=audit.snapshot(record, ["kind", "date", "hours", "item_id", "title", "participants"]),
    )
    _recheck(acting_user, record, Action.ADD)
    return record


# --- evidence photos ------------------------------------------------------------------------------------------


@declare("services.photo_add", label="添加照片", model=ServiceRecord, verb=Action.CHANGE)
@transaction.atomic
def photo_add(*, acting_user: User, record: ServiceRecord, upload: Any) -> ServicePhoto:
    """The agency adds an evidence photo to its own record: checked, cleaned of metadata (services.photos) and
    stored; the file is removed again if the row cannot be saved. At most SERVICE_PHOTO_MAX_PER_RECORD."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    from .photos import clean_photo

    current = _reread(ServiceRecord, acting_user, record, Action.CHANGE)
    limit = settings.SERVICE_PHOTO_MAX_PER_RECORD
    if ServicePhoto.objects.filter(record=current).count() >= limit:
        raise ValidationError({"photo": f"每条记录最多 {limit} 张照片。"})
    clean = clean_photo(upload)
    photo = ServicePhoto(
        record=current,
        content_type=clean.content_type,
        extension=clean.extension,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        uploaded_by=acting_user,
    )
    photo.full_clean(exclude=["file"])
    photo.file.save("photo", ContentFile(clean.data), save=False)
    stored = str(photo.file.name)
    try:
        photo.save()
        audit.record(
            acting_user=acting_user,
            event="create",
            obj=photo,
            division_code=current.station.division_id,
            changes={"record": current.pk, "size": photo.size, "width": photo.width, "height": photo.height},
        )
        _recheck(acting_user, photo, Action.VIEW)
    except Exception:
        photo.file.storage.delete(stored)
        raise
    return photo


# --- visits and escalations ----------------------------------------------------------------------------------

VISIT_TITLE = "上门探访"
VISIT_MAX_HOURS = Decimal("24")


def last_visit_hours(user: User) -> Decimal | None:
    """How long the account's last visit took (the default of its next one), None before its first."""
    return (
        ServiceRecord.objects.for_user(user)
        .filter(kind=ServiceRecord.Kind.VISIT, recorded_by=user, visit__isnull=False)
        .order_by("-date", "-pk")
        .values_list("hours", flat=True)
        .first()
    )


def _visit_hours(acting_user: User, hours: Any) -> Decimal:
    """The duration the worker entered; none given (the API): that of the worker's last visit. It feeds the
    professional-hours share, so it is never made up: before a first visit the worker says how long it took."""
    if hours in (None, ""):
        hours = last_visit_hours(acting_user)
        if hours is None:
            raise ValidationError({"hours": "请填写探访时长（小时）。"})
    try:
        value = Decimal(str(hours))
    except ArithmeticError:
        raise ValidationError({"hours": "探访时长应为数字（小时）。"}) from None
    if not Decimal("0.25") <= value <= VISIT_MAX_HOURS:
        raise ValidationError({"hours": f"探访时长应在 0.25 至 {VISIT_MAX_HOURS} 小时之间。"})
    return value


@declare("services.visit_create", label="登记探访", model=Visit, verb=Action.ADD, detail=False)
@transaction.atomic
def visit_create(
    *,
    acting_user: User,
    beneficiary: Beneficiary,
    date: Any,
    checks: dict[str, str],
    notes: str = "",
    hours: Any = None,
    workers: list[Any] | None = None,
    client_key: Any = None,
) -> Visit:
    """A home visit: the checklist of the policy, a service record of kind visit (its hours count), and an
    escalation for each failed check, told at once to the township and the county bureau [004 §2]."""
    existing = _existing_by_key(Visit, acting_user, client_key)
    if existing is not None:
        return existing
    person = Beneficiary.objects.for_user(acting_user).filter(pk=beneficiary.pk).select_related("station").first()
    if person is None:
        raise PermissionDenied("该服务对象不在您的权限范围内。")
    station = _station_in_reach(acting_user, person.station)
    policy = effective_policy(person.division_id)
    checklist = service_policy.visit_checks(policy)
    if set(checks) != set(checklist) or any(v not in Visit.Check.values for v in checks.values()):
        raise ValidationError({"checks": "请逐项勾选：" + "、".join(checklist.values()) + "。"})
    if date > timezone.localdate():
        raise ValidationError({"date": "探访日期不能晚于今天。"})
    hours = _visit_hours(acting_user, hours)
    # The visit's own service record (the role was checked by this action's declaration: the agency).
    record = _record_create(
        acting_user,
        station,
        {
            "kind": ServiceRecord.Kind.VISIT,
            "date": date,
            "hours": hours,
            "village": person.division,
            # Neutral: the person is named by the record's beneficiaries (scoped), never copied into the title.
            "title": VISIT_TITLE,
            "notes": notes,
        },
        [person],
        workers,
        None,
        checklist_visit=True,
    )
    visit = Visit(
        beneficiary=person,
        station=station,
        date=date,
        week=iso_week(date),
        checks=checks,
        notes=notes,
        record=record,
        recorded_by=acting_user,
        client_key=client_key or None,
    )
    visit.full_clean()
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        raise ValidationError("该草稿已提交。") from None
    if person.last_visit_date is None or date > person.last_visit_date:
        person.last_visit_date = date
        person.save(update_fields=["last_visit_date"])
    escalations = []
    for code in visit.failed_checks:
        requirement = service_policy.escalation_requirement(policy, code)
        escalations.append(
            Escalation.objects.create(
                visit=visit,
                beneficiary=person,
                station=station,
                check_code=code,
                required=requirement.text,
                clause=requirement.clause,
            )
        )
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=visit,
        subject=person,
        division_code=person.division_id,
        changes={"date": str(date), "checks": checks, "escalations": [e.check_code for e in escalations]},
    )
    _recheck(acting_user, visit, Action.ADD)
    if escalations:
        transaction.on_commit(notify_escalations)
    return visit


def notify_escalations() -> None:
    """Tell at once: the sweep of the escalation kind alone (each obligation's reminder is claimed once)."""
    from .tasks import sweep_escalations

    sweep_escalations.delay()


@declare(
    "services.escalation_resolve",
    label="登记处置结果",
    model=Escalation,
    verb=Action.CHANGE,
    state_field="status",
    states=[Escalation.Status.OPEN],
)
@transaction.atomic
def escalation_resolve(*, acting_user: User, escalation: Escalation, outcome: str, note: str = "") -> Escalation:
    current: Escalation = _reread(Escalation, acting_user, escalation, Action.CHANGE)
    check_state("services.escalation_resolve", current)
    if outcome not in Escalation.Outcome.values:
        raise ValidationError({"outcome": "请选择处置结果。"})
    if outcome == Escalation.Outcome.OTHER and not note.strip():
        raise ValidationError({"outcome_note": "选择“其他处置”时请写明做了什么。"})
    current.status = Escalation.Status.RESOLVED
    current.outcome = outcome
    current.outcome_note = note.strip()
    current.resolved_at = timezone.now()
    current.resolved_by = acting_user
    current.save(update_fields=["status", "outcome", "outcome_note", "resolved_at", "resolved_by"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        subject=current.beneficiary,
        division_code=current.beneficiary.division_id,
        changes={"status": {"before": "open", "after": "resolved"}, "outcome": outcome},
    )
    _recheck(acting_user, current, Action.CHANGE)
    return current


# --- cases and referrals -------------------------------------------------------------------------------------


@declare("services.case_open", label="接案", model=Case, verb=Action.ADD, detail=False)
@transaction.atomic
def case_open(*, acting_user: User, beneficiary: Beneficiary, title: str, intake_date: Any, intake_note: str) -> Case:
    person = Beneficiary.objects.for_user(acting_user).filter(pk=beneficiary.pk).first()
    if person is None:
        raise PermissionDenied("该服务对象不在您的权限范围内。")
    station = _station_in_reach(acting_user, person.station)
    case = Case(
        beneficiary=person,
        station=station,
        title=title,
        intake_date=intake_date,
        intake_note=intake_note,
        recorded_by=acting_user,
    )
    case.full_clean()
    case.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=case,
        subject=person,
        division_code=person.division_id,
        changes={"title": title, "stage": case.stage, "intake_date": str(intake_date)},
    )
    _recheck(acting_user, case, Action.ADD)
    return case


@declare(
    "services.case_advance",
    label="进入下一阶段",
    model=Case,
    verb=Action.CHANGE,
    state_field="stage",
    states=[s for s in Case.ORDER if s != Case.Stage.CLOSED],
)
@transaction.atomic
def case_advance(*, acting_user: User, case: Case, date: Any, text: str) -> Case:
    """intake → assessment → plan → intervention → evaluation → closure: each step records its work and date,
    in order, never before the previous step's date [001 annex 2 item 17(3)]."""
    current: Case = _reread(Case, acting_user, case, Action.CHANGE)
    check_state("services.case_advance", current)
    target = current.next_stage
    assert target is not None  # noqa: S101 - the declared states exclude closure
    text_field, date_field = Case.STAGE_FIELDS[Case.Stage(target)]
    label = Case.Stage(target).label
    if not text or not text.strip():
        raise ValidationError({"text": f"请填写{label}阶段的工作内容。"})
    _, previous_date_field = Case.STAGE_FIELDS[Case.Stage(current.stage)]
    previous = getattr(current, previous_date_field)
    if date is None or (previous and date < previous) or date > timezone.localdate():
        raise ValidationError({"date": f"{label}日期应在上一阶段之后、不晚于今天。"})
    before = current.stage
    current.stage = target
    setattr(current, text_field, text.strip())
    setattr(current, date_field, date)
    current.full_clean()
    current.save(update_fields=["stage", text_field, date_field])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        subject=current.beneficiary,
        division_code=current.beneficiary.division_id,
        changes={"stage": {"before": before, "after": target}, date_field: str(date)},
    )
    _recheck(acting_user, current, Action.CHANGE)
    return current


def agency_of(station: Station, day: Any) -> Any:
    """The agency whose contract in force on ``day`` covers the station (None: nobody runs it)."""
    from contracts.models import Contract

    contract = (
        Contract.objects.filter(stations=station, status=Contract.Status.ACTIVE, start_date__lte=day, end_date__gte=day)
        .select_related("agency")
        .order_by("-start_date")
        .first()
    )
    return contract.agency if contract else None


@declare("services.referral_create", label="转介", model=Referral, verb=Action.ADD, detail=False)
@transaction.atomic
def referral_create(*, acting_user: User, case: Case, to_station: Station, reason: str) -> Referral:
    current = Case.objects.for_user(acting_user, Action.CHANGE).filter(pk=case.pk).select_related("station").first()
    if current is None:
        raise PermissionDenied("该个案不在您的权限范围内。")
    if current.stage == Case.Stage.CLOSED:
        raise ValidationError("个案已结案，不能再转介。")
    target = Station.objects.for_user(acting_user).filter(pk=to_station.pk).first() or (
        # Another county's station is named by the bureau's public list: any operating station may receive.
        Station.objects.filter(pk=to_station.pk, status=Station.Status.OPERATING).first()
    )
    if target is None or target.pk == current.station_id:
        raise ValidationError({"to_station": "请选择另一个在运营的站点。"})
    agency = agency_of(target, timezone.localdate())
    if agency is None:
        raise ValidationError({"to_station": "该站点目前没有承接机构，无法接收转介。"})
    if not reason.strip():
        raise ValidationError({"reason": "请写明转介原因。"})
    referral = Referral(
        case=current, from_station=current.station, to_station=target, to_agency=agency, reason=reason.strip()
    )
    referral.full_clean()
    referral.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=referral,
        subject=current.beneficiary,
        division_code=current.station.division_id,
        changes={"to_station": target.pk, "to_agency": agency.pk},
    )
    _recheck(acting_user, referral, Action.ADD)
    return referral


def _respond(acting_user: User, referral: Referral, status: str, response: str, spec: str) -> Referral:
    current: Referral = _reread(Referral, acting_user, referral, "respond")
    check_state(spec, current)
    if current.to_agency_id != getattr(acting_user, "organisation_id", None):
        raise PermissionDenied("只有接收机构可以答复转介。")
    if status == Referral.Status.DECLINED and not response.strip():
        raise ValidationError({"response": "拒绝时请写明原因。"})
    current.status = status
    current.response = response.strip()
    current.responded_at = timezone.now()
    current.save(update_fields=["status", "response", "responded_at"])
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.to_station.division_id,
        changes={"status": {"before": "pending", "after": status}},
    )
    _recheck(acting_user, current, "respond")
    return current


@declare(
    "services.referral_accept",
    label="接收转介",
    model=Referral,
    verb="respond",
    roles=AGENCY,
    state_field="status",
    states=[Referral.Status.PENDING],
)
@transaction.atomic
def referral_accept(*, acting_user: User, referral: Referral, response: str = "") -> Referral:
    return _respond(acting_user, referral, Referral.Status.ACCEPTED, response, "services.referral_accept")


@declare(
    "services.referral_decline",
    label="拒绝转介",
    model=Referral,
    verb="respond",
    roles=AGENCY,
    state_field="status",
    states=[Referral.Status.PENDING],
)
@transaction.atomic
def referral_decline(*, acting_user: User, referral: Referral, response: str) -> Referral:
    return _respond(acting_user, referral, Referral.Status.DECLINED, response, "services.referral_decline")


# --- volunteers and incubated organisations ------------------------------------------------------------------


@declare("services.team_create", label="登记志愿服务队", model=VolunteerTeam, verb=Action.ADD, detail=False)
@transaction.atomic
def team_create(
    *, acting_user: User, station: Station, name: str, founded_on: Any, members: int, party_members: bool = False
) -> VolunteerTeam:
    station = _station_in_reach(acting_user, station)
    team = VolunteerTeam(
        station=station, name=name, founded_on=founded_on, members=members, party_members=party_members
    )
    team.full_clean()
    team.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=team,
        division_code=station.division_id,
        changes={"name": name, "members": members, "founded_on": str(founded_on)},
    )
    _recheck(acting_user, team, Action.ADD)
    return team


@declare(
    "services.organisation_register",
    label="登记孵化的社会组织",
    model=IncubatedOrganisation,
    verb=Action.ADD,
    detail=False,
)
@transaction.atomic
def organisation_register(
    *, acting_user: User, station: Station, name: str, registered_on: Any, credit_code: str = ""
) -> IncubatedOrganisation:
    station = _station_in_reach(acting_user, station)
    org = IncubatedOrganisation(station=station, name=name, registered_on=registered_on, credit_code=credit_code)
    org.full_clean()
    org.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=org,
        division_code=station.division_id,
        changes={"name": name, "registered_on": str(registered_on)},
    )
    _recheck(acting_user, org, Action.ADD)
    return org
