"""An agreement as an Open Contracting Data Standard 1.1 release package (buyer, procuringEntity and supplier
parties; tender; award; contract with implementation.milestones for filing and deployment; amendments).

Codes follow the OCDS 1.1 codelists: procurementMethod (open / limited / direct), contractStatus (pending /
active / cancelled / terminated), milestoneType (reporting / delivery), milestoneStatus (scheduled / met /
notMet). Dates are RFC 3339 date-times in China Standard Time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .deadlines import ContractDeadline, contract_deadlines
from .models import Contract
from .procurement import ocds_method

OCID_PREFIX = "ocds-zhanwu"
CST = dt.timezone(dt.timedelta(hours=8))
CONTRACT_STATUS = {
    Contract.Status.DRAFT: "pending",
    Contract.Status.SIGNED: "pending",
    Contract.Status.FILED: "pending",
    Contract.Status.ACTIVE: "active",
    Contract.Status.EXPIRED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}
MILESTONE_TYPE = {"filing": "reporting", "deployment": "delivery"}


def _when(day: dt.date | None) -> str | None:
    return dt.datetime.combine(day, dt.time(), tzinfo=CST).isoformat() if day else None


def _money(amount: Decimal | None) -> dict[str, Any] | None:
    return {"amount": float(amount), "currency": "CNY"} if amount is not None else None


def _party(org: Any, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": f"org-{org.pk}", "name": org.name, "roles": roles}
    if getattr(org, "credit_code", ""):
        # 统一社会信用代码 (GB 32100-2015), the org-id.guide scheme CN-USCC.
        party["identifier"] = {"scheme": "CN-USCC", "id": org.credit_code, "legalName": org.name}
    return party


def _milestone(contract: Contract, deadline: ContractDeadline) -> dict[str, Any]:
    status = {"done": "met", "late": "met", "open": "scheduled"}.get(deadline.state, "scheduled")
    if deadline.state == "open" and deadline.due and deadline.due < timezone.localdate():
        status = "notMet"
    out: dict[str, Any] = {
        "id": f"{contract.pk}-{deadline.kind}",
        "title": deadline.label,
        "type": MILESTONE_TYPE[deadline.kind],
        "description": deadline.message,
        "status": status,
    }
    if deadline.due:
        out["dueDate"] = _when(deadline.due)
    if deadline.done:
        out["dateMet"] = _when(deadline.done)
    return out


def release_package(contract: Contract, uri: str) -> dict[str, Any]:
    """The OCDS 1.1 release package of one agreement (one compiled-style release of its present state)."""
    procurement = contract.procurement
    ocid = f"{OCID_PREFIX}-{procurement.pk if procurement else 'c' + str(contract.pk)}"
    buyer = _party(contract.buyer, ["buyer", "procuringEntity"])
    supplier_roles = ["supplier", "tenderer"] if procurement else ["supplier"]
    parties = [buyer, _party(contract.agency, supplier_roles)]
    if contract.township is not None:
        parties.append(_party(contract.township, ["interestedParty"]))
    method = procurement.method if procurement else contract.procurement_method
    tender: dict[str, Any] = {"id": procurement.number if procurement else contract.number}
    if method:
        tender.update(ocds_method(method))
    if procurement is not None:
        bidders = list(procurement.bidders.select_related("agency"))
        for b in bidders:
            if all(p["id"] != f"org-{b.agency_id}" for p in parties):
                parties.append(_party(b.agency, ["tenderer"]))
        tender.update(
            title=procurement.title,
            status="complete" if procurement.status == "awarded" else "active",
            value=_money(procurement.budget),
            tenderPeriod={"startDate": _when(procurement.announced_date), "endDate": _when(procurement.bid_deadline)},
            tenderers=[{"id": f"org-{b.agency_id}", "name": b.agency.name} for b in bidders],
            numberOfTenderers=len(bidders),
        )
        if procurement.rationale:
            tender["procurementMethodRationale"] = (
                f"{tender.get('procurementMethodRationale', '')}；{procurement.rationale}"
            )
    award_id = f"{contract.pk}-award"
    award: dict[str, Any] = {
        "id": award_id,
        "status": "active",
        "suppliers": [{"id": f"org-{contract.agency_id}", "name": contract.agency.name}],
    }
    if procurement is not None and procurement.award_date:
        award["date"] = _when(procurement.award_date)
    amount = contract.amount_per_year
    amendments = list(contract.amendments.prefetch_related("stations_added", "stations_removed"))
    for a in amendments:
        if a.amount_per_year is not None and a.effective_date <= timezone.localdate():
            amount = a.amount_per_year
    if amount is not None:
        award["value"] = _money(amount)
    body: dict[str, Any] = {
        "id": contract.number,
        "awardID": award_id,
        "title": f"{contract.division.name}社会工作服务站服务协议",
        "status": CONTRACT_STATUS[Contract.Status(contract.status)],
        "period": {"startDate": _when(contract.start_date), "endDate": _when(contract.end_date)},
        "implementation": {"milestones": [_milestone(contract, d) for d in contract_deadlines(contract)]},
    }
    items = list(contract.service_items.select_related("domain").order_by("domain__order", "order", "code"))
    if items:
        # The service content bought: the catalogue items (OCDS 1.1 Contract.items; the catalogue code as the id).
        body["items"] = [
            {"id": f"{contract.pk}-item-{i.pk}", "description": f"{i.code} {i.name}（{i.domain.name}）"} for i in items
        ]
    payments = list(contract.payments.all())
    if payments:
        # The fund disbursement schedule as the contract's financing milestones (OCDS 1.1 Contract.milestones).
        body["milestones"] = [
            {
                "id": f"{contract.pk}-payment-{p.sequence}",
                "title": f"第{p.sequence}期资金拨付",
                "type": "financing",
                "dueDate": _when(p.due_date),
                "status": "scheduled",
                "description": f"拨付{p.amount}元" + (f"（{p.condition}）" if p.condition else ""),
            }
            for p in payments
        ]
    if amount is not None:
        body["value"] = _money(amount)
    if contract.signed_date:
        body["dateSigned"] = _when(contract.signed_date)
    if amendments:
        body["amendments"] = [
            {
                "id": f"{contract.pk}-amendment-{a.pk}",
                "date": _when(a.effective_date),
                "rationale": a.reason,
                "description": _amendment_text(a),
            }
            for a in amendments
        ]
    release = {
        "ocid": ocid,
        "id": f"{contract.number}-{contract.updated_at:%Y%m%dT%H%M%S}",
        "date": contract.updated_at.astimezone(CST).isoformat(),
        "tag": ["contractAmendment"] if amendments else ["contract"],
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
        "awards": [award],
        "contracts": [body],
    }
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": contract.updated_at.astimezone(CST).isoformat(),
        "publisher": {"name": contract.buyer.name},
        "releases": [release],
    }


def _amendment_text(a: Any) -> str:
    parts = []
    if a.stations_added.all():
        parts.append("增加站点：" + "、".join(s.name for s in a.stations_added.all()))
    if a.stations_removed.all():
        parts.append("减少站点：" + "、".join(s.name for s in a.stations_removed.all()))
    if a.amount_per_year is not None:
        parts.append(f"年度金额变更为{a.amount_per_year}元")
    return "；".join(parts)
