"""Procurement, the agreement's life cycle, amendments and deadlines — through the API as the bureau and the
agency would use them, and through the selectors the agency scope reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation
from contracts.actions import contract_amend
from contracts.deadlines import contract_deployment_due, contract_filing_due
from contracts.models import Bidder, Contract, Procurement
from contracts.procurement import OCDS_METHODS, ocds_method
from contracts.selectors import active_contract_stations
from core.models import AuditLog
from stations.models import Station

pytestmark = pytest.mark.django_db
DATIAN = "350425"


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def _agency(name: str) -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains=name)


def _bureau() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.BUREAU, division_id=DATIAN)


# --- procurement ----------------------------------------------------------------------------------------


def test_the_five_methods_map_to_ocds() -> None:
    assert {m: ocds_method(m)["procurementMethod"] for m in OCDS_METHODS} == {
        "open_tender": "open",
        "invited_tender": "limited",
        "competitive_negotiation": "limited",
        "competitive_consultation": "limited",
        "single_source": "direct",
    }
    single = ocds_method("single_source")
    assert single["procurementMethodDetails"] == "单一来源采购"
    assert "第三十一条" in single["procurementMethodRationale"]


def _open_procurement(client: Client) -> dict[str, Any]:
    today = timezone.localdate()
    return _json(
        _post(
            client,
            "/api/v1/procurements/",
            {
                "number": "DTCG-TEST-01",
                "title": "测试采购项目",
                "division": DATIAN,
                "method": "competitive_consultation",
                "rationale": "政府购买服务项目",
                "budget": "500000.00",
                "announced_date": (today - dt.timedelta(days=30)).isoformat(),
                "bid_deadline": (today - dt.timedelta(days=10)).isoformat(),
            },
        ),
        201,
    )


def _bid(client: Client, pk: int, agency: Organisation, *, clean: bool = True) -> dict[str, Any]:
    return _json(
        _post(
            client,
            f"/api/v1/procurements/{pk}/bidders/",
            {
                "agency": agency.pk,
                "price": "480000.00",
                "registered_social_work": True,
                "finance_qualified": True,
                "no_violation": clean,
            },
        )
    )


def test_award_keeps_the_eligibility_findings_with_their_clauses(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    created = _open_procurement(bureau)
    assert created["ocds"]["procurementMethod"] == "limited"
    assert {a["action"] for a in created["allowed_actions"]} == {"procurements.add_bidder", "procurements.award"}
    sunshine = _agency("阳光")
    data = _bid(bureau, created["id"], sunshine)
    bidder = data["bidders"][0]["id"]
    awarded = _json(
        _post(
            bureau,
            f"/api/v1/procurements/{created['id']}/award/",
            {"bidder": bidder, "award_date": timezone.localdate().isoformat()},
        )
    )
    assert awarded["status"] == "awarded" and awarded["winner"] == bidder
    assert awarded["allowed_actions"] == []
    findings = {(f["rule_key"], f["outcome"]) for f in awarded["award_findings"]}
    assert ("contract.procurement_methods", "pass") in findings
    assert ("agency.local_preferred", "pass") in findings
    eligibility = [f for f in awarded["award_findings"] if f["rule_key"] == "agency.eligibility"]
    assert len(eligibility) == 3 and all(f["outcome"] == "pass" for f in eligibility)
    assert all(f["clause"] == "[000 §6(3)]" for f in eligibility)
    # Agencies see no procurement record, not even one they bid in; the township of another place neither.
    for username in ("agency_sunshine", "agency_harmony", "junxi_town"):
        assert user_client(username).get(f"/api/v1/procurements/{created['id']}/").status_code == 404


def test_award_to_an_ineligible_agency_is_refused_in_chinese_and_nothing_changes(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    created = _open_procurement(bureau)
    data = _bid(bureau, created["id"], _agency("阳光"), clean=False)
    before = AuditLog.objects.count()
    response = _post(
        bureau,
        f"/api/v1/procurements/{created['id']}/award/",
        {"bidder": data["bidders"][0]["id"], "award_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "无违法违规记录" in text and "不符合" in text
    procurement = Procurement.objects.get(pk=created["id"])
    assert procurement.status == Procurement.Status.OPEN and procurement.winner_id is None
    assert procurement.award_findings == []
    assert AuditLog.objects.count() == before


def test_single_source_takes_one_bidder(user_client) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    from accounts.models import User
    from contracts.actions import procurement_add_bidder

    today = timezone.localdate()
    procurement = Procurement.objects.create(
        number="DTCG-SS",
        title="单一来源",
        buyer=_bureau(),
        division_id=DATIAN,
        method="single_source",
        budget=Decimal("1000.00"),
        announced_date=today,
        bid_deadline=today,
    )
    user = User.objects.get(username="datian_bureau")
    kwargs: dict[str, Any] = {
        "price": Decimal("900"),
        "registered_social_work": True,
        "finance_qualified": True,
        "no_violation": True,
    }
    procurement_add_bidder(acting_user=user, procurement=procurement, agency=_agency("阳光"), **kwargs)
    with pytest.raises(ValidationError):
        procurement_add_bidder(acting_user=user, procurement=procurement, agency=_agency("和谐"), **kwargs)
    assert Bidder.objects.filter(procurement=procurement).count() == 1


# --- life cycle -----------------------------------------------------------------------------------------


def _draft(**extra: Any) -> Contract:
    station = Station.objects.filter(division__code__startswith=DATIAN, level=Station.Level.TOWNSHIP).first()
    values: dict[str, Any] = {
        "number": "DT-LC-1",
        "buyer": _bureau(),
        "division_id": DATIAN,
        "agency": _agency("阳光"),
        "start_date": dt.date(2026, 10, 1),
        "end_date": dt.date(2027, 9, 30),
    }
    values.update(extra)
    contract = Contract.objects.create(**values)
    contract.stations.add(station)  # type: ignore[arg-type]
    return contract


def _actions(data: dict[str, Any]) -> list[str]:
    return sorted(a["action"] for a in data["allowed_actions"])


def test_the_agreement_moves_draft_signed_filed_in_force_terminated(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _draft()
    bureau = user_client("datian_bureau")
    url = f"/api/v1/contracts/{contract.pk}/"
    # No task book yet: writing one is offered, confirming it is not.
    book = ["contracts.task_book_save"]
    doc = "contracts.document_upload"
    # Structured terms (payments, indicators, breach terms) are edited while a draft only.
    assert _actions(_json(bureau.get(url))) == [
        doc,
        "contracts.sign",
        *book,
        "contracts.terms_save",
        "contracts.update",
    ]
    signed = _json(_post(bureau, url + "sign/", {"signed_date": "2026-09-28"}))
    assert signed["status"] == "signed"
    # 15 working days from 28 September 2026, signing day not counted, across the National Day holiday
    # (1–7 October off, 26 September and 10 October make-up workdays): 23 October.
    filing = next(d for d in signed["deadlines"] if d["kind"] == "filing")
    assert filing["due"] == "2026-10-23" and filing["state"] == "open"
    assert filing["clause"] and "2026年10月23日" in filing["message"]
    assert _actions(signed) == [
        "contracts.amend",
        doc,
        "contracts.file",
        *book,
        "contracts.terminate",
        "contracts.update",
    ]
    # Filing before signing is refused in Chinese, nothing saved.
    bad = _post(bureau, url + "file/", {"filed_date": "2026-09-01", "filed_with": "三明市民政局"})
    assert bad.status_code == 400 and "不能早于签订日期" in bad.content.decode()
    filed = _json(_post(bureau, url + "file/", {"filed_date": "2026-10-20", "filed_with": "三明市民政局"}))
    assert filed["status"] == "filed"
    assert next(d for d in filed["deadlines"] if d["kind"] == "filing")["state"] == "done"
    active = _json(_post(bureau, url + "activate/"))
    assert active["status"] == "active"
    # Not expired yet: the service period runs to 2027.
    early = _post(bureau, url + "expire/")
    assert early.status_code == 400 and "尚未到期" in early.content.decode()
    ended = _json(_post(bureau, url + "terminate/", {"terminated_date": "2026-11-01", "reason": "承接机构严重违约"}))
    assert ended["status"] == "terminated" and ended["end_date"] == "2026-11-01"
    assert _actions(ended) == ["contracts.update"]
    events = list(AuditLog.objects.filter(object_id=str(contract.pk)).values_list("event", flat=True))
    assert {"sign", "file", "activate", "terminate"} <= set(events)


def test_township_and_agency_see_the_agreement_but_take_no_transition(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _draft()
    for username in ("junxi_town", "agency_sunshine"):
        client = user_client(username)
        response = client.get(f"/api/v1/contracts/{contract.pk}/")
        if response.status_code == 200:
            # The agency may attach documents to its own agreement; neither takes a transition.
            offered = {a["action"] for a in response.json()["allowed_actions"]}
            assert offered <= {"contracts.document_upload"}
        assert _post(client, f"/api/v1/contracts/{contract.pk}/sign/", {"signed_date": "2026-09-28"}).status_code in (
            403,
            404,
        )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_a_deadline_in_a_year_the_calendar_does_not_cover_says_so() -> None:
    contract = _draft(signed_date=dt.date(2026, 12, 20), status=Contract.Status.SIGNED)
    filing = contract_filing_due(contract)
    assert filing.due is None and filing.unknown_years == (2027,) and filing.state == "unknown"
    assert "2027年" in filing.message and "暂时无法确定" in filing.message
    # Datian's deployment period is one month from signing.
    deployment = contract_deployment_due(contract)
    assert (
        deployment.start == dt.date(2026, 12, 20)
        and deployment.period
        and deployment.rule_key.endswith("deployment_deadline")
    )


def test_an_unsigned_agreement_has_no_deadline_yet() -> None:
    filing = contract_filing_due(_draft())
    assert filing.state == "not_started" and filing.due is None and "签订后" in filing.message


# --- amendments and the agency's scope ------------------------------------------------------------------


def test_an_amendment_removing_a_station_ends_the_agencys_access_on_its_date(user_client) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    today = timezone.localdate()
    sunshine = _agency("阳光")
    contract = (
        Contract.objects.filter(agency=sunshine, status=Contract.Status.ACTIVE, township__isnull=False)
        .exclude(stations=None)
        .order_by("pk")
        .first()
    )
    assert contract is not None
    stations = sorted(contract.stations.values_list("pk", flat=True))
    assert len(stations) >= 2, "the demo's first townships have village stations too"
    gone = Station.objects.get(pk=stations[-1])
    assert gone.pk in active_contract_stations(sunshine.pk, today)
    contract_amend(
        acting_user=User.objects.get(username="datian_bureau"),
        contract=contract,
        signed_date=today,
        effective_date=today + dt.timedelta(days=1),
        reason="村站移交其他机构",
        stations_removed=[gone],
    )
    # Still reached today; from the effective date on, no longer.
    assert gone.pk in active_contract_stations(sunshine.pk, today)
    assert gone.pk not in active_contract_stations(sunshine.pk, today + dt.timedelta(days=1))
    assert stations[0] in active_contract_stations(sunshine.pk, today + dt.timedelta(days=1))
    # Effective today: the agency's station page answers 404 at once.
    client = user_client("agency_sunshine")
    assert client.get(f"/api/v1/stations/{stations[0]}/").status_code == 200
    second = Station.objects.get(pk=stations[0])
    reached = active_contract_stations(sunshine.pk, today)
    newcomer = Station.objects.filter(division__code__startswith=DATIAN).exclude(pk__in=list(reached)).first()
    assert newcomer is not None
    assert client.get(f"/api/v1/stations/{newcomer.pk}/").status_code == 404
    contract_amend(
        acting_user=User.objects.get(username="datian_bureau"),
        contract=contract,
        signed_date=today,
        effective_date=today,
        reason="站点调整",
        stations_removed=[second],
        stations_added=[newcomer],
    )
    assert client.get(f"/api/v1/stations/{second.pk}/").status_code == 404
    assert client.get(f"/api/v1/stations/{newcomer.pk}/").status_code == 200
    amended = _json(user_client("datian_bureau").get(f"/api/v1/contracts/{contract.pk}/"))
    assert [a["reason"] for a in amended["amendments"]] == ["站点调整", "村站移交其他机构"]


def test_an_amendment_may_not_leave_an_agreement_without_stations() -> None:
    from django.core.exceptions import ValidationError

    from accounts.models import User

    contract = _draft(status=Contract.Status.ACTIVE, signed_date=dt.date(2026, 9, 28))
    only = contract.stations.get()
    with pytest.raises(ValidationError) as info:
        contract_amend(
            acting_user=User.objects.get(username="datian_bureau"),
            contract=contract,
            signed_date=dt.date(2026, 10, 1),
            effective_date=dt.date(2026, 10, 2),
            reason="撤站",
            stations_removed=[only],
        )
    assert "至少覆盖一个站点" in str(info.value)
    assert not contract.amendments.exists()


# --- filters --------------------------------------------------------------------------------------------


def test_contract_filters(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    year = timezone.localdate().year

    def ids(query: str) -> set[int]:
        return {row["id"] for row in _json(client.get(f"/api/v1/contracts/?{query}&page_size=500"))["results"]}

    everything = set(Contract.objects.filter(division__code__startswith=DATIAN).values_list("pk", flat=True))
    assert ids("") == everything
    assert ids("state=signed") == set(Contract.objects.filter(status="signed").values_list("pk", flat=True))
    assert ids(f"year={year - 1}") == set(
        Contract.objects.filter(start_date__year__lte=year - 1, end_date__year__gte=year - 1).values_list(
            "pk", flat=True
        )
    )
    town = Organisation.objects.get(users__username="junxi_town")
    assert ids(f"township={town.pk}") == set(Contract.objects.filter(township=town).values_list("pk", flat=True))
    harmony = _agency("和谐")
    assert ids(f"agency={harmony.pk}") == set(Contract.objects.filter(agency=harmony).values_list("pk", flat=True))
    sample = Contract.objects.filter(township=town).first()
    assert sample is not None
    assert ids(f"division={sample.division_id}") >= {sample.pk}
