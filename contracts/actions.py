"""Every write to procurements and agreements: keyword-only, atomic, validated, audited, re-checked against scope.

The agreement's life cycle is data (``Contract.TRANSITIONS`` here): draft → signed → filed → in force
(``active``) → expired, or terminated from signed, filed or in force; each transition is a declared action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import organisation_of
from core import audit
from core.actions import check_state, declare
from core.scoping import Action, Role, scope_of
from stations.models import Division, Station

from .models import (
    Amendment,
    Bidder,
    CareAgreement,
    Contract,
    ContractDocument,
    Method,
    Procurement,
    TaskBook,
    TaskBookConfirmation,
)
from .procurement import eligibility_findings, findings_as_data

# The status is not edited: it moves only through the transition actions below.
EDITABLE_FIELDS = [
    "number",
    "buyer_id",
    "division_id",
    "township_id",
    "agency_id",
    "procurement_id",
    "procurement_method",
    "amount_per_year",
    "signed_date",
    "start_date",
    "end_date",
    "cycle_start",
    "cycle_end",
    "resident_workers",
    "station_head_required",
    "staffing_note",
]
S = Contract.Status
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # action name -> (from states, to state)
    "contracts.sign": (frozenset({S.DRAFT}), S.SIGNED),
    "contracts.file": (frozenset({S.SIGNED}), S.FILED),
    "contracts.activate": (frozenset({S.FILED}), S.ACTIVE),
    "contracts.expire": (frozenset({S.ACTIVE}), S.EXPIRED),
    "contracts.terminate": (frozenset({S.SIGNED, S.FILED, S.ACTIVE}), S.TERMINATED),
}
AMENDABLE = frozenset({S.SIGNED, S.FILED, S.ACTIVE})
PROCUREMENT_FIELDS = [
    "number",
    "title",
    "buyer_id",
    "division_id",
    "method",
    "rationale",
    "budget",
    "announced_date",
    "bid_deadline",
    "status",
    "winner_id",
    "award_date",
    "award_reason",
]


def _recheck(user: User, contract: Contract) -> None:
    if not Contract.objects.for_user(user, Action.CHANGE).filter(pk=contract.pk).exists():
        raise PermissionDenied("保存后的协议不在您的权限范围内。")


def _set_stations(user: User, contract: Contract, stations: list[Station] | None, changes: dict[str, Any]) -> None:
    if stations is None:
        return
    visible = set(Station.objects.for_user(user).filter(pk__in=[s.pk for s in stations]).values_list("pk", flat=True))
    if any(s.pk not in visible for s in stations):
        raise PermissionDenied("服务站点不在您的权限范围内。")
    old = sorted(str(pk) for pk in contract.stations.values_list("pk", flat=True))
    new = sorted(str(s.pk) for s in stations)
    if old != new:
        contract.stations.set(stations)
        changes["stations"] = {"before": old, "after": new}


def _set_items(contract: Contract, items: list[Any] | None, changes: dict[str, Any]) -> None:
    """The agreement's service content: catalogue items (reference data every role reads)."""
    if items is None:
        return
    old = sorted(str(pk) for pk in contract.service_items.values_list("pk", flat=True))
    new = sorted({str(i.pk) for i in items})
    if old != new:
        contract.service_items.set(items)
        changes["service_items"] = {"before": old, "after": new}


def _check_procurement(user: User, contract: Contract) -> None:
    """An agreement made from a procurement: the procurement is awarded, in scope, and its winner is the agency."""
    if contract.procurement_id is None:
        return
    procurement = Procurement.objects.for_user(user).select_related("winner").filter(pk=contract.procurement_id).first()
    if procurement is None:
        raise PermissionDenied("采购项目不在您的权限范围内。")
    if procurement.status != Procurement.Status.AWARDED or procurement.winner is None:
        raise ValidationError({"procurement": "该采购项目尚未确定承接机构。"})
    if contract.agency_id != procurement.winner.agency_id:
        raise ValidationError({"agency": "承接主体须为该采购项目的成交供应商。"})
    contract.procurement_method = procurement.method


@declare("contracts.create", label="新建协议", model=Contract, verb=Action.ADD, detail=False)
@transaction.atomic
def contract_create(
    *,
    acting_user: User,
    contract: Contract,
    stations: list[Station] | None = None,
    service_items: list[Any] | None = None,
) -> Contract:
    """Save a new (unsaved) contract built by a form."""
    if contract.pk is not None:
        raise PermissionDenied("协议已存在。")
    if not Division.objects.for_user(acting_user).filter(pk=contract.division_id).exists():
        raise PermissionDenied("项目落地区划不在您的权限范围内。")
    if not scope_of(acting_user).is_global and contract.buyer_id != acting_user.organisation_id:
        raise PermissionDenied("购买主体只能是您所在的民政部门。")
    _check_procurement(acting_user, contract)
    contract.status = Contract.Status.DRAFT
    contract.full_clean()
    contract.save()
    changes = audit.diff({}, audit.snapshot(contract, EDITABLE_FIELDS))
    _set_stations(acting_user, contract, stations, changes)
    _set_items(contract, service_items, changes)
    _recheck(acting_user, contract)
    audit.record(
        acting_user=acting_user, event="create", obj=contract, division_code=contract.division_id, changes=changes
    )
    return contract


@declare("contracts.update", label="修改协议", model=Contract, verb=Action.CHANGE)
@transaction.atomic
def contract_update(
    *,
    acting_user: User,
    contract: Contract,
    data: dict[str, Any],
    stations: list[Station] | None = None,
    service_items: list[Any] | None = None,
) -> Contract:
    """Update fields of a contract in the caller's change scope (re-read under a row lock)."""
    current = Contract.objects.for_user(acting_user, Action.CHANGE).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该协议。")
    before = audit.snapshot(current, EDITABLE_FIELDS)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise PermissionDenied(f"不可修改的字段：{name}")
        setattr(current, name, value)
    if "procurement_id" in data or "agency_id" in data:
        _check_procurement(acting_user, current)
    current.full_clean()
    changes = audit.diff(before, audit.snapshot(current, EDITABLE_FIELDS))
    if changes:
        current.save(update_fields=[*{k.removesuffix("_id") for k in changes}, "updated_at"])
    _set_stations(acting_user, current, stations, changes)
    _set_items(current, service_items, changes)
    _recheck(acting_user, current)
    if changes:
        audit.record(
            acting_user=acting_user, event="update", obj=current, division_code=current.division_id, changes=changes
        )
    return current


def _locked(user: User, contract: Contract, name: str) -> Contract:
    current = Contract.objects.for_user(user, Action.CHANGE).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该协议。")
    check_state(name, current)
    return current


def _transition(user: User, contract: Contract, name: str, fields: dict[str, Any]) -> Contract:
    """Move ``contract`` along ``TRANSITIONS[name]`` with ``fields`` set; one audit row."""
    current = _locked(user, contract, name)
    watched = ["status", *fields]
    before = audit.snapshot(current, watched)
    current.status = TRANSITIONS[name][1]
    for key, value in fields.items():
        setattr(current, key, value)
    current.full_clean()
    current.save(update_fields=[*(k.removesuffix("_id") for k in watched), "updated_at"])
    audit.record(
        acting_user=user,
        event=name.split(".")[1],
        obj=current,
        division_code=current.division_id,
        changes=audit.diff(before, audit.snapshot(current, watched)),
    )
    return current


def _transition_spec(name: str, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "model": Contract,
        "verb": Action.CHANGE,
        "state_field": "status",
        "states": TRANSITIONS[name][0],
    }


@declare("contracts.sign", **_transition_spec("contracts.sign", "签订协议"))
@transaction.atomic
def contract_sign(*, acting_user: User, contract: Contract, signed_date: dt.date) -> Contract:
    """Record the three parties' signing: the filing and deployment deadlines count from this day."""
    current = Contract.objects.for_user(acting_user, Action.CHANGE).filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该协议。")
    if signed_date > timezone.localdate():
        raise ValidationError({"signed_date": "签订日期不能晚于今天。"})
    if not current.stations.exists():
        raise ValidationError({"stations": "签订前须列明协议覆盖的服务站点。"})
    return _transition(acting_user, contract, "contracts.sign", {"signed_date": signed_date})


@declare("contracts.file", **_transition_spec("contracts.file", "报备协议"))
@transaction.atomic
def contract_file(*, acting_user: User, contract: Contract, filed_date: dt.date, filed_with: str) -> Contract:
    """Record that the agreement's copy was filed with the bureau above (报上级民政部门备案)."""
    current = _locked(acting_user, contract, "contracts.file")
    if not filed_with.strip():
        raise ValidationError({"filed_with": "请填写报备的民政部门。"})
    if filed_date > timezone.localdate():
        raise ValidationError({"filed_date": "报备日期不能晚于今天。"})
    if current.signed_date is None or filed_date < current.signed_date:
        raise ValidationError({"filed_date": "报备日期不能早于签订日期。"})
    return _transition(acting_user, current, "contracts.file", {"filed_date": filed_date, "filed_with": filed_with})


@declare("contracts.activate", **_transition_spec("contracts.activate", "协议生效"))
@transaction.atomic
def contract_activate(*, acting_user: User, contract: Contract) -> Contract:
    """The filed agreement comes into force: from its start date the agency reaches its stations."""
    return _transition(acting_user, contract, "contracts.activate", {})


@declare("contracts.expire", **_transition_spec("contracts.expire", "协议到期"))
@transaction.atomic
def contract_expire(*, acting_user: User, contract: Contract) -> Contract:
    """Close an agreement in force whose service period has ended."""
    current = _locked(acting_user, contract, "contracts.expire")
    if current.end_date >= timezone.localdate():
        raise ValidationError({"end_date": f"服务期至{current.end_date:%Y年%m月%d日}，尚未到期。"})
    return _transition(acting_user, current, "contracts.expire", {})


@declare("contracts.terminate", **_transition_spec("contracts.terminate", "终止协议"))
@transaction.atomic
def contract_terminate(*, acting_user: User, contract: Contract, terminated_date: dt.date, reason: str) -> Contract:
    """End an agreement early (违约、评估不合格等), with its date and reason."""
    current = _locked(acting_user, contract, "contracts.terminate")
    if not reason.strip():
        raise ValidationError({"termination_reason": "请填写终止原因。"})
    if current.signed_date and terminated_date < current.signed_date:
        raise ValidationError({"terminated_date": "终止日期不能早于签订日期。"})
    fields: dict[str, Any] = {"terminated_date": terminated_date, "termination_reason": reason.strip()}
    if terminated_date < current.end_date:
        fields["end_date"] = max(terminated_date, current.start_date)
    return _transition(acting_user, current, "contracts.terminate", fields)


RECEIVABLE = frozenset({S.FILED, S.ACTIVE, S.EXPIRED, S.TERMINATED})


def filing_awaits_receipt(contract: Contract) -> bool:
    return contract.filed_date is not None and contract.filing_received_date is None


@declare(
    "contracts.receive_filing",
    label="确认收到报备",
    model=Contract,
    verb=Action.VIEW,
    roles=[Role.CITY_BUREAU, Role.PROVINCE_BUREAU],
    state_field="status",
    states=RECEIVABLE,
    available=filing_awaits_receipt,
)
@transaction.atomic
def contract_receive_filing(*, acting_user: User, contract: Contract, received_date: dt.date | None = None) -> Contract:
    """The bureau above (city, or province) acknowledges the county's filing of an agreement in its subtree."""
    current = Contract.objects.for_user(acting_user, Action.VIEW).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权确认该协议的报备。")
    check_state("contracts.receive_filing", current)
    day = received_date or timezone.localdate()
    if current.filed_date is None:
        raise ValidationError({"filed_date": "该协议尚未报备。"})
    if current.filing_received_date is not None:
        raise ValidationError({"filing_received_date": "该协议的报备已确认收到。"})
    if day > timezone.localdate():
        raise ValidationError({"filing_received_date": "接收日期不能晚于今天。"})
    if day < current.filed_date:
        raise ValidationError({"filing_received_date": "接收日期不能早于报备日期。"})
    current.filing_received_date = day
    current.filing_received_by = acting_user
    current.save(update_fields=["filing_received_date", "filing_received_by", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="receive_filing",
        obj=current,
        division_code=current.division_id,
        changes={"filing_received_date": {"before": None, "after": day.isoformat()}},
    )
    return current


@declare(
    "contracts.amend",
    label="变更协议",
    model=Contract,
    verb=Action.CHANGE,
    state_field="status",
    states=AMENDABLE,
)
@transaction.atomic
def contract_amend(
    *,
    acting_user: User,
    contract: Contract,
    signed_date: dt.date,
    effective_date: dt.date,
    reason: str,
    stations_added: list[Station] | None = None,
    stations_removed: list[Station] | None = None,
    amount_per_year: Decimal | None = None,
) -> Amendment:
    """A supplementary agreement: stations added or removed and the yearly amount, from ``effective_date``."""
    current = _locked(acting_user, contract, "contracts.amend")
    added, removed = list(stations_added or []), list(stations_removed or [])
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "请填写变更原因。"
    if not added and not removed and amount_per_year is None:
        errors["reason"] = "补充协议未变更任何内容。"
    if not current.start_date <= effective_date <= current.end_date:
        errors["effective_date"] = "生效日期须在协议服务期内。"
    covered = set(_stations_on(current, effective_date))
    if any(s.pk in covered for s in added):
        errors["stations_added"] = "增加的站点已在协议内。"
    if any(s.pk not in covered for s in removed):
        errors["stations_removed"] = "减少的站点不在协议内。"
    if set(covered) - {s.pk for s in removed} | {s.pk for s in added} == set():
        errors["stations_removed"] = "变更后协议须至少覆盖一个站点。"
    if errors:
        raise ValidationError(errors)
    visible = set(
        Station.objects.for_user(acting_user).filter(pk__in=[s.pk for s in added]).values_list("pk", flat=True)
    )
    if any(s.pk not in visible for s in added):
        raise PermissionDenied("服务站点不在您的权限范围内。")
    amendment = Amendment(
        contract=current,
        signed_date=signed_date,
        effective_date=effective_date,
        reason=reason.strip(),
        amount_per_year=amount_per_year,
    )
    amendment.full_clean()
    amendment.save()
    amendment.stations_added.set(added)
    amendment.stations_removed.set(removed)
    changes: dict[str, Any] = {"effective_date": {"before": None, "after": effective_date.isoformat()}}
    if added:
        changes["stations_added"] = {"before": [], "after": sorted(str(s.pk) for s in added)}
    if removed:
        changes["stations_removed"] = {"before": [], "after": sorted(str(s.pk) for s in removed)}
    if amount_per_year is not None:
        changes["amount_per_year"] = {"before": str(current.amount_per_year), "after": str(amount_per_year)}
    audit.record(
        acting_user=acting_user, event="amend", obj=current, division_code=current.division_id, changes=changes
    )
    return amendment


def _stations_on(contract: Contract, day: dt.date) -> list[int]:
    from .selectors import stations_on

    return sorted(stations_on(contract, day))


# --- procurement -----------------------------------------------------------------------------------------


@declare("procurements.create", label="新建采购项目", model=Procurement, verb=Action.ADD, detail=False)
@transaction.atomic
def procurement_create(*, acting_user: User, procurement: Procurement) -> Procurement:
    """Save a new procurement built by a form; the buyer is the caller's own bureau."""
    if procurement.pk is not None:
        raise PermissionDenied("采购项目已存在。")
    if not Division.objects.for_user(acting_user).filter(pk=procurement.division_id).exists():
        raise PermissionDenied("项目区划不在您的权限范围内。")
    if not scope_of(acting_user).is_global and procurement.buyer_id != acting_user.organisation_id:
        raise PermissionDenied("采购人只能是您所在的民政部门。")
    procurement.status = Procurement.Status.OPEN
    procurement.winner = None
    procurement.full_clean()
    procurement.save()
    if not Procurement.objects.for_user(acting_user, Action.CHANGE).filter(pk=procurement.pk).exists():
        raise PermissionDenied("保存后的采购项目不在您的权限范围内。")
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=procurement,
        division_code=procurement.division_id,
        changes=audit.diff({}, audit.snapshot(procurement, PROCUREMENT_FIELDS)),
    )
    return procurement


def _locked_procurement(user: User, procurement: Procurement, name: str) -> Procurement:
    current = Procurement.objects.for_user(user, Action.CHANGE).select_for_update().filter(pk=procurement.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该采购项目。")
    check_state(name, current)
    return current


@declare(
    "procurements.add_bidder",
    label="登记响应供应商",
    model=Procurement,
    verb=Action.CHANGE,
    state_field="status",
    states=[Procurement.Status.OPEN],
)
@transaction.atomic
def procurement_add_bidder(
    *,
    acting_user: User,
    procurement: Procurement,
    agency: Organisation,
    price: Decimal,
    registered_social_work: bool,
    finance_qualified: bool,
    no_violation: bool,
) -> Bidder:
    """Record an agency's bid with the eligibility facts the bureau checked."""
    current = _locked_procurement(acting_user, procurement, "procurements.add_bidder")
    if current.method == Method.SINGLE_SOURCE and current.bidders.exists():
        raise ValidationError({"agency": "单一来源采购只有一个供应商。"})
    bidder = Bidder(
        procurement=current,
        agency=agency,
        price=price,
        registered_social_work=registered_social_work,
        finance_qualified=finance_qualified,
        no_violation=no_violation,
    )
    bidder.full_clean()
    bidder.save()
    audit.record(
        acting_user=acting_user,
        event="add_bidder",
        obj=current,
        division_code=current.division_id,
        changes={"bidder": {"before": None, "after": f"{agency.name} {price}"}},
    )
    return bidder


@declare(
    "procurements.award",
    label="确定成交供应商",
    model=Procurement,
    verb=Action.CHANGE,
    state_field="status",
    states=[Procurement.Status.OPEN],
)
@transaction.atomic
def procurement_award(
    *, acting_user: User, procurement: Procurement, bidder: Bidder, award_date: dt.date, reason: str = ""
) -> Procurement:
    """Award to one bidder after its eligibility findings; a blocking finding refuses the award. The
    findings are kept with the award as they were on its day."""
    current = _locked_procurement(acting_user, procurement, "procurements.award")
    if bidder.procurement_id != current.pk:
        raise ValidationError({"winner": "成交供应商须为本项目的响应供应商。"})
    if award_date < current.bid_deadline:
        raise ValidationError({"award_date": "成交日期不能早于响应截止日期。"})
    if award_date > timezone.localdate():
        raise ValidationError({"award_date": "成交日期不能晚于今天。"})
    before = audit.snapshot(current, PROCUREMENT_FIELDS)
    current.winner = bidder
    current.award_reason = reason.strip()
    findings = eligibility_findings(bidder)
    blocking = [f for f in findings if f.blocking]
    if blocking:
        raise ValidationError({"winner": [f"{f.message}（{f.citation or f.clause}）" for f in blocking]})
    current.award_findings = findings_as_data(findings)
    current.award_date = award_date
    current.status = Procurement.Status.AWARDED
    current.full_clean()
    current.save(update_fields=["winner", "award_reason", "award_findings", "award_date", "status", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="award",
        obj=current,
        division_code=current.division_id,
        changes=audit.diff(before, audit.snapshot(current, PROCUREMENT_FIELDS)),
    )
    return current


# --- task book ------------------------------------------------------------------------------------------

TASK_BOOK_STATES = frozenset({S.DRAFT, S.SIGNED, S.FILED, S.ACTIVE})


def has_task_book(contract: Contract) -> bool:
    """Confirming is offered only once a task book exists (reads a select_related ``task_book`` if loaded)."""
    try:
        return contract.task_book is not None
    except TaskBook.DoesNotExist:
        return False


@declare(
    "contracts.task_book_save",
    label="编写项目任务书",
    model=Contract,
    verb=Action.CHANGE,
    state_field="status",
    states=TASK_BOOK_STATES,
)
@transaction.atomic
def task_book_save(*, acting_user: User, contract: Contract, sections: dict[str, str]) -> TaskBook:
    """Write the task book's six sections; a change of content withdraws the confirmations given so far."""
    current = _locked(acting_user, contract, "contracts.task_book_save")
    unknown = set(sections) - set(TaskBook.SECTIONS)
    if unknown:
        raise PermissionDenied(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    book = TaskBook.objects.filter(contract=current).first() or TaskBook(contract=current)
    before = audit.snapshot(book, TaskBook.SECTIONS) if book.pk else {}
    for name in TaskBook.SECTIONS:
        setattr(book, name, (sections.get(name, getattr(book, name, "")) or "").strip())
    book.full_clean()
    changes = audit.diff(before, audit.snapshot(book, TaskBook.SECTIONS))
    if not changes:
        return book
    book.save()
    withdrawn = book.confirmations.count()
    if withdrawn:
        book.confirmations.all().delete()
        changes["confirmations"] = {"before": withdrawn, "after": 0}
    audit.record(
        acting_user=acting_user, event="task_book", obj=current, division_code=current.division_id, changes=changes
    )
    return book


@declare(
    "contracts.task_book_confirm",
    label="确认项目任务书",
    model=Contract,
    verb=Action.VIEW,
    roles=[Role.TOWNSHIP, Role.COUNTY_BUREAU, Role.CITY_BUREAU, Role.PROVINCE_BUREAU],
    state_field="status",
    states=TASK_BOOK_STATES,
    available=has_task_book,
)
@transaction.atomic
def task_book_confirm(*, acting_user: User, contract: Contract) -> TaskBookConfirmation:
    """The caller confirms the task book for its party (township, county, city or province), once."""
    from .taskbook import PARTIES, party_for, required_confirmers

    current = Contract.objects.for_user(acting_user, Action.VIEW).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权确认该协议的任务书。")
    check_state("contracts.task_book_confirm", current)
    book = TaskBook.objects.filter(contract=current).first()
    if book is None:
        raise ValidationError({"task_book": "尚未编写项目任务书。"})
    party = party_for(acting_user, current)
    needed = required_confirmers(current)
    if party is None or party not in needed.parties:
        raise PermissionDenied("您所在单位不是该任务书的确认方。")
    if party == "township" and current.township_id != acting_user.organisation_id:
        raise PermissionDenied("只有协议的项目落地方可以确认。")
    if book.confirmations.filter(party=party).exists():
        raise ValidationError({"task_book": f"{PARTIES[party][0]}已确认。"})
    confirmation = TaskBookConfirmation(
        task_book=book, party=party, organisation=organisation_of(acting_user), confirmed_by=acting_user
    )
    confirmation.full_clean()
    confirmation.save()
    audit.record(
        acting_user=acting_user,
        event="confirm",
        obj=current,
        division_code=current.division_id,
        changes={"confirmed": {"before": None, "after": PARTIES[party][0]}},
    )
    return confirmation


# --- documents ------------------------------------------------------------------------------------------

# An expired term still takes documents: the year's evaluation report arrives after its last day (renewal gate).
DOCUMENT_STATES = frozenset({S.DRAFT, S.SIGNED, S.FILED, S.ACTIVE, S.EXPIRED})


@declare(
    "contracts.document_upload",
    label="上传协议文件",
    model=Contract,
    verb=Action.VIEW,
    roles=[Role.COUNTY_BUREAU, Role.AGENCY],
    state_field="status",
    states=DOCUMENT_STATES,
)
@transaction.atomic
def document_upload(*, acting_user: User, contract: Contract, kind: str, title: str, upload: Any) -> ContractDocument:
    """The buying bureau or the agreement's own agency attaches a document; the file is checked (type by
    content, size, zip bombs) before anything is written, and removed again if the row cannot be saved."""
    from django.core.files.base import ContentFile

    from .documents import check_upload

    current = Contract.objects.for_user(acting_user, Action.VIEW).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权为该协议上传文件。")
    role = scope_of(acting_user).role
    if role == Role.AGENCY and current.agency_id != acting_user.organisation_id:
        raise PermissionDenied("只能为本机构承接的协议上传文件。")
    if (
        role == Role.COUNTY_BUREAU
        and not Contract.objects.for_user(acting_user, Action.CHANGE).filter(pk=current.pk).exists()
    ):
        raise PermissionDenied("无权为该协议上传文件。")
    check_state("contracts.document_upload", current)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写文件名称。"})
    checked = check_upload(upload, kind)
    document = ContractDocument(
        contract=current,
        kind=kind,
        title=title[:120],
        original_name=str(getattr(upload, "name", ""))[-200:],
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=acting_user,
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload", ContentFile(checked.data), save=False)
    stored = str(document.file.name)
    try:
        document.save()
        audit.record(
            acting_user=acting_user,
            event="document_upload",
            obj=current,
            division_code=current.division_id,
            changes={"document": {"before": None, "after": f"{document.get_kind_display()}：{document.title}"}},
        )
    except Exception:
        document.file.storage.delete(stored)
        raise
    return document


# --- payment schedule, performance indicators, breach terms ------------------------------------------------

TERMS_STATES = frozenset({S.DRAFT})


def _terms_snapshot(contract: Contract) -> dict[str, Any]:
    from .models import BreachTerm, PaymentInstalment, PerformanceIndicator

    return {
        "payments": [
            f"{p.sequence}|{p.due_date.isoformat()}|{p.amount}|{p.condition}"
            for p in PaymentInstalment.objects.filter(contract=contract)
        ],
        "indicators": [
            f"{i.sequence}|{i.name}|{i.target}|{i.unit}" for i in PerformanceIndicator.objects.filter(contract=contract)
        ],
        "breach_terms": [f"{b.sequence}|{b.party}|{b.text}" for b in BreachTerm.objects.filter(contract=contract)],
    }


@declare(
    "contracts.terms_save",
    label="编辑拨付安排、绩效指标与违约责任",
    model=Contract,
    verb=Action.CHANGE,
    state_field="status",
    states=TERMS_STATES,
)
@transaction.atomic
def terms_save(
    *,
    acting_user: User,
    contract: Contract,
    payments: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
    breach_terms: list[dict[str, Any]],
) -> Contract:
    """Replace the draft agreement's payment schedule, indicators and breach terms (after signing they change
    only by a supplementary agreement). Payments fall within the service period; their total per service year
    may not exceed the yearly amount."""
    from .models import BreachTerm, PaymentInstalment, PerformanceIndicator

    current = _locked(acting_user, contract, "contracts.terms_save")
    before = _terms_snapshot(current)
    errors: dict[str, list[str]] = {}
    rows_p = [PaymentInstalment(contract=current, sequence=n, **p) for n, p in enumerate(payments, start=1)]
    rows_i = [PerformanceIndicator(contract=current, sequence=n, **i) for n, i in enumerate(indicators, start=1)]
    rows_b = [BreachTerm(contract=current, sequence=n, **b) for n, b in enumerate(breach_terms, start=1)]
    for label, rows in (("payments", rows_p), ("indicators", rows_i), ("breach_terms", rows_b)):
        for n, row in enumerate(rows, start=1):
            try:
                row.full_clean(exclude=["contract"])
            except ValidationError as exc:
                errors.setdefault(label, []).extend(f"第{n}行：{m}" for m in exc.messages)
    for n, p in enumerate(rows_p, start=1):
        if p.due_date and not current.start_date <= p.due_date <= current.end_date:
            errors.setdefault("payments", []).append(f"第{n}行：拨付时间须在协议服务期内。")
    if current.amount_per_year is not None and rows_p:
        total = sum((p.amount for p in rows_p if p.amount is not None), Decimal("0"))
        years = max(1, round(((current.end_date - current.start_date).days + 1) / 365))
        if total > current.amount_per_year * years:
            errors.setdefault("payments", []).append(
                f"拨付合计 {total} 元超过协议金额（年度金额 {current.amount_per_year} 元 × {years} 年）。"
            )
    if errors:
        raise ValidationError(errors)
    PaymentInstalment.objects.filter(contract=current).delete()
    PerformanceIndicator.objects.filter(contract=current).delete()
    BreachTerm.objects.filter(contract=current).delete()
    PaymentInstalment.objects.bulk_create(rows_p)
    PerformanceIndicator.objects.bulk_create(rows_i)
    BreachTerm.objects.bulk_create(rows_b)
    changes = audit.diff(before, _terms_snapshot(current))
    if changes:
        audit.record(
            acting_user=acting_user, event="terms", obj=current, division_code=current.division_id, changes=changes
        )
    return current


# --- four-party care agreements (Nantong, [004 §3(7)]) ----------------------------------------------------

CARE_FIELDS = [
    "number",
    "township_id",
    "village_id",
    "station_id",
    "worker_id",
    "beneficiary_id",
    "start_date",
    "end_date",
    "station_legal_person",
    "station_credit_code",
    "station_head_name",
    "station_head_civil_affairs",
    "status",
    "signed_date",
    "ended_date",
    "end_reason",
]


def _check_care_parties(user: User, agreement: CareAgreement) -> None:
    """Every party the caller names is in its own scope: the township (a township officer: its own), the village,
    the station, the worker and the cared-for person."""
    from services.models import Beneficiary
    from staffing.models import SocialWorker

    role = scope_of(user).role
    if role == Role.TOWNSHIP and agreement.township_id != user.organisation_id:
        raise PermissionDenied("乡镇（街道）只能以本单位名义签订协议。")
    if not Organisation.objects.for_user(user).filter(pk=agreement.township_id).exists():
        raise PermissionDenied("乡镇（街道）不在您的权限范围内。")
    if not Division.objects.for_user(user).filter(pk=agreement.village_id).exists():
        raise PermissionDenied("村（社区）不在您的权限范围内。")
    if not Station.objects.for_user(user).filter(pk=agreement.station_id).exists():
        raise PermissionDenied("社工站不在您的权限范围内。")
    if not SocialWorker.objects.for_user(user).filter(pk=agreement.worker_id).exists():
        raise PermissionDenied("工作人员不在您的权限范围内。")
    if not Beneficiary.objects.for_user(user).filter(pk=agreement.beneficiary_id).exists():
        raise PermissionDenied("服务对象不在您的权限范围内。")


@declare("care_agreements.create", label="新建四方服务协议", model=CareAgreement, verb=Action.ADD, detail=False)
@transaction.atomic
def care_agreement_create(*, acting_user: User, agreement: CareAgreement) -> CareAgreement:
    """Save a new (unsaved) draft care agreement built by a form; every party must be in the caller's scope."""
    if agreement.pk is not None:
        raise PermissionDenied("协议已存在。")
    _check_care_parties(acting_user, agreement)
    agreement.status = CareAgreement.Status.DRAFT
    agreement.signed_date = None
    agreement.ended_date = None
    agreement.findings = []
    agreement.full_clean()
    agreement.save()
    if not CareAgreement.objects.for_user(acting_user, Action.CHANGE).filter(pk=agreement.pk).exists():
        raise PermissionDenied("保存后的协议不在您的权限范围内。")
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=agreement,
        division_code=agreement.village_id,
        changes=audit.diff({}, audit.snapshot(agreement, CARE_FIELDS)),
    )
    return agreement


# What a draft's edit may change: the parties, the term and the station's facts (not the state or the signing).
CARE_EDITABLE = [f for f in CARE_FIELDS if f not in ("status", "signed_date", "ended_date", "end_reason")]


@declare(
    "care_agreements.update",
    label="修改四方服务协议草稿",
    model=CareAgreement,
    verb=Action.CHANGE,
    state_field="status",
    states=[CareAgreement.Status.DRAFT],
)
@transaction.atomic
def care_agreement_update(*, acting_user: User, agreement: CareAgreement, data: dict[str, Any]) -> CareAgreement:
    """Change a draft care agreement (re-read under a row lock): only ``CARE_EDITABLE`` fields; every party it then
    names must be in the caller's scope, like on creation. A signed agreement is not edited (it is ended, and a new
    one signed)."""
    current = _locked_care(acting_user, agreement, "care_agreements.update")
    unknown = set(data) - set(CARE_EDITABLE)
    if unknown:
        raise PermissionDenied(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    before = audit.snapshot(current, CARE_FIELDS)
    for name, value in data.items():
        setattr(current, name, value)
    changes = audit.diff(before, audit.snapshot(current, CARE_FIELDS))
    if not changes:
        return current
    _check_care_parties(acting_user, current)
    current.full_clean()
    current.save(update_fields=[*{k.removesuffix("_id") for k in changes}, "updated_at"])
    if not CareAgreement.objects.for_user(acting_user, Action.CHANGE).filter(pk=current.pk).exists():
        raise PermissionDenied("保存后的协议不在您的权限范围内。")
    audit.record(
        acting_user=acting_user, event="update", obj=current, division_code=current.village_id, changes=changes
    )
    return current


def _locked_care(user: User, agreement: CareAgreement, name: str) -> CareAgreement:
    current = CareAgreement.objects.for_user(user, Action.CHANGE).select_for_update().filter(pk=agreement.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该协议。")
    check_state(name, current)
    return current


@declare(
    "care_agreements.sign",
    label="签订四方服务协议",
    model=CareAgreement,
    verb=Action.CHANGE,
    state_field="status",
    states=[CareAgreement.Status.DRAFT],
)
@transaction.atomic
def care_agreement_sign(*, acting_user: User, agreement: CareAgreement, signed_date: dt.date) -> CareAgreement:
    """Record the four parties' signing. The policy findings on the station (registered legal person, its head a
    township civil-affairs employee) and the parties are checked first: a failing ``must`` refuses with its clause;
    the findings are kept with the signing."""
    from .care import blocking_messages, care_findings

    current = _locked_care(acting_user, agreement, "care_agreements.sign")
    if signed_date > timezone.localdate():
        raise ValidationError({"signed_date": "签订日期不能晚于今天。"})
    if signed_date > current.end_date:
        raise ValidationError({"signed_date": "签订日期不能晚于服务结束日期。"})
    findings = care_findings(current)
    refused = blocking_messages(findings)
    if refused:
        raise ValidationError({"findings": refused})
    before = audit.snapshot(current, CARE_FIELDS)
    current.status = CareAgreement.Status.SIGNED
    current.signed_date = signed_date
    current.findings = findings_as_data(findings)
    current.full_clean()
    current.save(update_fields=["status", "signed_date", "findings", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="sign",
        obj=current,
        division_code=current.village_id,
        changes=audit.diff(before, audit.snapshot(current, CARE_FIELDS)),
    )
    return current


@declare(
    "care_agreements.end",
    label="终止四方服务协议",
    model=CareAgreement,
    verb=Action.CHANGE,
    state_field="status",
    states=[CareAgreement.Status.SIGNED],
)
@transaction.atomic
def care_agreement_end(
    *, acting_user: User, agreement: CareAgreement, ended_date: dt.date, reason: str
) -> CareAgreement:
    """End a signed care agreement (the person moved into care, died, the worker left…): its date and reason; an
    end before the term's last day shortens the term."""
    current = _locked_care(acting_user, agreement, "care_agreements.end")
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["end_reason"] = "请填写终止原因。"
    if ended_date > timezone.localdate():
        errors["ended_date"] = "终止日期不能晚于今天。"
    if current.signed_date is not None and ended_date < current.signed_date:
        errors["ended_date"] = "终止日期不能早于签订日期。"
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, CARE_FIELDS)
    current.status = CareAgreement.Status.ENDED
    current.ended_date = ended_date
    current.end_reason = reason.strip()[:300]
    if ended_date < current.end_date:
        current.end_date = max(ended_date, current.start_date)
    current.full_clean()
    current.save(update_fields=["status", "ended_date", "end_reason", "end_date", "updated_at"])
    audit.record(
        acting_user=acting_user,
        event="end",
        obj=current,
        division_code=current.village_id,
        changes=audit.diff(before, audit.snapshot(current, CARE_FIELDS)),
    )
    return current
