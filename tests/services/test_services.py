"""The services work (issue 10): visits and escalations, calendar weeks, scope of townships, agencies and children,
offline drafts, the negative list, the professional-hours share, station service lists, cases and referrals."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.models import User
from contracts.models import Contract
from core.personal.idnumber import check_character
from core.scoping import forget_scope
from obligations.models import Notification, Obligation
from obligations.sweep import run_sweep
from policies.actions import policy_get_or_create, policy_rule_set
from services import actions as sa
from services.imports import COLUMNS
from services.models import Beneficiary, Escalation, ServiceRecord, StationServiceList, Visit, VolunteerTeam, iso_week
from services.selectors import due_this_week, monthly_summary, visits_per_week
from stations.models import Division
from tests.services.write_cases import (
    OK,
    harmony_station,
    listed_item,
    outside_station,
    person,
    service_list,
    sunshine_station,
)

pytestmark = pytest.mark.django_db


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _client(name: str) -> Client:
    client = Client()
    client.force_login(_user(name))
    return client


def _weekly_visits_in_datian(times: int = 1, per: str = "week") -> None:
    """The county adopts the weekly visit rule (as Nantong's [004 §2] does), through the policy editor's action."""
    bureau = _user("datian_bureau")
    policy = policy_get_or_create(acting_user=bureau, division=Division.objects.get(code="350425"))
    policy_rule_set(
        acting_user=bureau,
        policy=policy,
        key="service.visit_frequency",
        value={"times": times, "per": per},
        clause="[004 §2]",
        strength="as_a_rule",
    )


# --- visits and escalations ----------------------------------------------------------------------------------


def test_failed_diet_check_opens_an_escalation_and_notifies_once(django_capture_on_commit_callbacks: Any) -> None:
    agency = _user("agency_sunshine")
    who = person()
    with django_capture_on_commit_callbacks(execute=True):
        visit = sa.visit_create(
            acting_user=agency, beneficiary=who, date=timezone.localdate(), checks={**OK, "diet": "fail"}
        )
    escalation = Escalation.objects.get(visit=visit)
    assert escalation.check_code == "diet" and escalation.status == "open"
    obligation = Obligation.objects.get(kind="services.escalation", object_id=escalation.pk)
    told = set(Notification.objects.filter(obligation=obligation).values_list("recipient__username", flat=True))
    # The township of the person's village and the county bureau are told at once (the sweep ran on commit).
    assert {"junxi_town", "datian_bureau"} <= told
    count = Notification.objects.filter(obligation=obligation).count()
    run_sweep()
    run_sweep()
    assert Notification.objects.filter(obligation=obligation).count() == count, "told once"
    # Someone records what was done: the escalation and its obligation close.
    sa.escalation_resolve(acting_user=_user("junxi_town"), escalation=escalation, outcome="transfer")
    run_sweep()
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.DONE


def test_a_childs_escalation_is_owed_by_the_county_bureau_which_can_open_and_resolve_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    child = _child("处置保密儿童")
    with django_capture_on_commit_callbacks(execute=True):
        visit = sa.visit_create(
            acting_user=_user("agency_sunshine"),
            beneficiary=child,
            date=timezone.localdate(),
            checks={**OK, "hygiene": "fail"},
        )
    escalation = Escalation.objects.get(visit=visit)
    obligation = Obligation.objects.get(kind="services.escalation", object_id=escalation.pk)
    bureau = _user("datian_bureau")
    assert obligation.owner_id == bureau.organisation_id  # not the township, which may not see the child
    assert child.name not in obligation.title
    told = set(Notification.objects.filter(obligation=obligation).values_list("recipient__username", flat=True))
    assert "datian_bureau" in told and "junxi_town" not in told
    # Placed at the county: the village workers, who may not see children either, are not told of it.
    assert obligation.division_id == "350425" and "junxi_village" not in told
    assert _client("junxi_village").get(f"/obligations/{obligation.pk}/").status_code == 404
    # The township neither sees nor resolves it; the bureau opens it, with the child's name, and records the outcome.
    assert _client("junxi_town").get(f"/services/escalations/{escalation.pk}/").status_code == 404
    page = _client("datian_bureau").get(f"/services/escalations/{escalation.pk}/")
    assert page.status_code == 200 and child.name in page.content.decode()
    response = _client("datian_bureau").post(
        f"/api/v1/escalations/{escalation.pk}/resolve/", {"outcome": "cleaning"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    run_sweep()
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.DONE
    # An adult's escalation stays the township's.
    adult = sa.visit_create(
        acting_user=_user("agency_sunshine"),
        beneficiary=person(),
        date=timezone.localdate(),
        checks={**OK, "diet": "fail"},
    )
    run_sweep()
    other = Obligation.objects.get(kind="services.escalation", object_id=Escalation.objects.get(visit=adult).pk)
    assert other.owner_id == _user("junxi_town").organisation_id


def test_the_worker_enters_the_visits_duration_defaulting_to_their_last_visit(user_client: Any) -> None:
    from services.forms import VisitForm

    who = person(harmony_station())
    worker = user_client("agency_harmony")  # no visit recorded yet by this account
    page = worker.get(f"/services/beneficiaries/{who.public_id}/visit/").content.decode()
    assert re.search(rf'name="hours"[^>]*value="{VisitForm.FIRST_VISIT_HOURS}"', page), "the form's own default"
    # The API never assumes a duration: before the account's first visit it must be given.
    payload = {"beneficiary": str(who.public_id), "date": str(timezone.localdate()), "checks": OK}
    refused = worker.post("/api/v1/visits/", payload, content_type="application/json")
    assert refused.status_code == 400 and "探访时长" in refused.content.decode()
    assert not Visit.objects.filter(beneficiary=who).exists()
    response = worker.post(
        f"/services/beneficiaries/{who.public_id}/visit/",
        {"date": str(timezone.localdate()), "hours": "1.75", **{f"check_{c}": v for c, v in OK.items()}},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Visit.objects.get(beneficiary=who).record.hours == Decimal("1.75")
    # The next form starts from the worker's last visit; the API without hours takes it too.
    page = worker.get(f"/services/beneficiaries/{person(harmony_station()).public_id}/visit/").content.decode()
    assert re.search(r'name="hours"[^>]*value="1.75"', page), "default from the last visit"
    other = person(harmony_station())
    row = worker.post(
        "/api/v1/visits/", {**payload, "beneficiary": str(other.public_id)}, content_type="application/json"
    )
    assert row.status_code == 201 and Visit.objects.get(beneficiary=other).record.hours == Decimal("1.75")
    third = person(harmony_station())
    row = worker.post(
        "/api/v1/visits/",
        {**payload, "beneficiary": str(third.public_id), "hours": "2.5"},
        content_type="application/json",
    )
    assert row.status_code == 201 and Visit.objects.get(beneficiary=third).record.hours == Decimal("2.50")
    too_long = worker.post(
        f"/services/beneficiaries/{person(harmony_station()).public_id}/visit/",
        {"date": str(timezone.localdate()), "hours": "30", **{f"check_{c}": v for c, v in OK.items()}},
    )
    assert too_long.status_code == 400


def test_visit_checklist_must_be_complete() -> None:
    with pytest.raises(ValidationError):
        sa.visit_create(
            acting_user=_user("agency_sunshine"), beneficiary=person(), date=timezone.localdate(), checks={"diet": "ok"}
        )


def test_monday_and_sunday_of_one_week_count_once() -> None:
    agency = _user("agency_sunshine")
    who = person()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(days=14)
    sunday = monday + dt.timedelta(days=6)
    next_monday = monday + dt.timedelta(days=7)
    for day in (monday, sunday, next_monday):
        sa.visit_create(acting_user=agency, beneficiary=who, date=day, checks=OK)
    weeks = visits_per_week(who)
    assert len(weeks) == 2, weeks  # Monday + Sunday: one calendar week; the next Monday: the next week
    assert sorted(weeks.values()) == [1, 2]


def test_due_this_week_follows_the_calendar_week_and_the_policy(user_client: Any) -> None:
    today = timezone.localdate()
    who = person()
    agency = _user("agency_sunshine")
    # No weekly rule in force in Datian: nobody owes a weekly visit.
    assert not due_this_week(agency, today).filter(pk=who.pk).exists()
    _weekly_visits_in_datian()
    assert due_this_week(agency, today).filter(pk=who.pk).exists()
    # A visit last Sunday (the previous calendar week) does not count for this week.
    last_sunday = today - dt.timedelta(days=today.weekday() + 1)
    sa.visit_create(acting_user=agency, beneficiary=who, date=last_sunday, checks=OK)
    assert due_this_week(agency, today).filter(pk=who.pk).exists()
    sa.visit_create(acting_user=agency, beneficiary=who, date=today - dt.timedelta(days=today.weekday()), checks=OK)
    assert not due_this_week(agency, today).filter(pk=who.pk).exists()
    # The API filter lists who still needs a visit, for the township too (its villages only).
    other = person()
    rows = user_client("junxi_town").get("/api/v1/visits/?due=this_week").json()["results"]
    ids = {r["id"] for r in rows}
    assert str(other.public_id) in ids and str(who.public_id) not in ids
    assert user_client("shipai_town").get("/api/v1/visits/?due=this_week").json()["results"] == [] or all(
        r["division"].startswith(_user("shipai_town").organisation.division_id)  # type: ignore[union-attr]
        for r in user_client("shipai_town").get("/api/v1/visits/?due=this_week").json()["results"]
    )
    assert user_client("junxi_town").get("/api/v1/visits/?due=next_week").status_code == 400


# --- scope ---------------------------------------------------------------------------------------------------


def test_a_township_sees_only_its_villages_people(user_client: Any) -> None:
    for name in ("junxi_town", "shipai_town"):
        code = _user(name).organisation.division_id  # type: ignore[union-attr]
        rows = user_client(name).get("/api/v1/beneficiaries/?limit=1000").json()["results"]
        assert rows, name
        assert all(r["division"].startswith(code) for r in rows), name
    junxi_person = person()
    assert user_client("shipai_town").get(f"/api/v1/beneficiaries/{junxi_person.public_id}/").status_code == 404
    assert user_client("junxi_town").get(f"/api/v1/beneficiaries/{junxi_person.public_id}/").status_code == 200


def test_an_agency_loses_its_records_when_its_contract_ends() -> None:
    station = sunshine_station()
    agency = _user("agency_sunshine")
    record = sa.record_create(
        acting_user=agency,
        station=station,
        data={
            "kind": "group",
            "date": timezone.localdate(),
            "hours": Decimal("2"),
            "title": "互助小组",
            "item": listed_item(station),
        },
    )
    who = person(station)
    assert ServiceRecord.objects.for_user(agency).filter(pk=record.pk).exists()
    assert Beneficiary.objects.for_user(agency).filter(pk=who.pk).exists()
    Contract.objects.filter(agency=agency.organisation, stations=station, status="active").update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    agency = _user("agency_sunshine")  # a new request: the scope is computed again
    forget_scope(agency)
    assert not ServiceRecord.objects.for_user(agency).filter(pk=record.pk).exists()
    assert not Beneficiary.objects.for_user(agency).filter(pk=who.pk).exists()
    client = _client("agency_sunshine")
    assert client.get(f"/api/v1/service-records/{record.pk}/").status_code == 404
    assert client.get(f"/services/records/{record.pk}/").status_code == 404


def test_a_child_is_refused_to_a_role_that_does_not_serve_children() -> None:
    child = sa.beneficiary_create(
        acting_user=_user("agency_sunshine"),
        station=sunshine_station(),
        division=Division.objects.filter(code__startswith=sunshine_station().division_id, level=5).first(),
        data={
            "name": "小红",
            "birth_date": timezone.localdate() - dt.timedelta(days=365 * 8),
            "categories": ["children"],
            "consent": True,
            "consent_by": "guardian",
            "guardian_name": "李奶奶",
            "consent_date": timezone.localdate(),
        },
    )
    for name in ("junxi_town", "fj_province"):
        client = _client(name)
        assert client.get(f"/services/beneficiaries/{child.public_id}/").status_code == 404, name
        assert client.get(f"/api/v1/beneficiaries/{child.public_id}/").status_code == 404, name
    for name in ("datian_bureau", "agency_sunshine"):
        assert _client(name).get(f"/services/beneficiaries/{child.public_id}/").status_code == 200, name


def _child(name: str = "小明") -> Beneficiary:
    """A scattered 特困 child of eight in a Junxi village, registered by the sunshine agency."""
    return sa.beneficiary_create(
        acting_user=_user("agency_sunshine"),
        station=sunshine_station(),
        division=Division.objects.filter(code__startswith=sunshine_station().division_id, level=5)
        .order_by("code")
        .first(),
        data={
            "name": name,
            "birth_date": timezone.localdate() - dt.timedelta(days=365 * 8),
            "categories": ["children", "tekun_scattered"],
            "consent": True,
            "consent_by": "guardian",
            "guardian_name": "王奶奶",
            "consent_date": timezone.localdate(),
        },
    )


def test_a_childs_visit_record_is_seen_only_by_the_roles_that_serve_children() -> None:
    child = _child("探访保密儿童")
    note = "孩子独自在家，冰箱无食物"
    visit = sa.visit_create(
        acting_user=_user("agency_sunshine"), beneficiary=child, date=timezone.localdate(), checks=OK, notes=note
    )
    record = visit.record
    assert child.name not in record.title and record.title == sa.VISIT_TITLE  # the title never names the person
    month = f"?month={timezone.localdate():%Y-%m}"
    for name in ("junxi_town", "fj_province"):
        client = _client(name)
        page = client.get(f"/services/records/{month}").content.decode()
        assert child.name not in page and note not in page and f'data-record-id="{record.pk}"' not in page, name
        assert client.get(f"/services/records/{record.pk}/").status_code == 404, name
        api = client.get("/api/v1/service-records/?limit=1000").content.decode()
        assert child.name not in api and note not in api and f'"id":{record.pk},' not in api, name
        assert client.get(f"/api/v1/service-records/{record.pk}/").status_code == 404, name
    for name in ("datian_bureau", "agency_sunshine"):
        client = _client(name)
        assert f'data-record-id="{record.pk}"' in client.get(f"/services/records/{month}").content.decode(), name
        detail = client.get(f"/services/records/{record.pk}/").content.decode()
        assert note in detail and child.name in detail, name
        row = client.get(f"/api/v1/service-records/{record.pk}/").json()
        assert row["notes"] == note, name
    # An adult's record stays visible to the township; a record naming a child among others does not.
    adult = sa.visit_create(
        acting_user=_user("agency_sunshine"), beneficiary=person(), date=timezone.localdate(), checks=OK
    )
    assert _client("junxi_town").get(f"/api/v1/service-records/{adult.record_id}/").status_code == 200
    group = sa.record_create(
        acting_user=_user("agency_sunshine"),
        station=sunshine_station(),
        data={"kind": "admin", "date": timezone.localdate(), "hours": Decimal("1"), "title": "台账整理"},
        beneficiaries=[person(), child],
    )
    assert _client("junxi_town").get(f"/api/v1/service-records/{group.pk}/").status_code == 404  # names a child


def test_minors_among_path_resolves_to_the_named_peoples_birth_date() -> None:
    """``ScopeRule.minors_among`` is a declared to-many path (served by a subquery): it must end at a date."""
    from django.db import models

    path = ServiceRecord.scoping.minors_among
    assert path == "beneficiaries__birth_date"
    relation, last = path.split("__")
    assert ServiceRecord._meta.get_field(relation).many_to_many
    field = ServiceRecord._meta.get_field(relation).related_model._meta.get_field(last)  # type: ignore[union-attr]
    assert isinstance(field, models.DateField)


def test_a_childs_consent_is_the_guardians() -> None:
    with pytest.raises(ValidationError) as exc:
        sa.beneficiary_create(
            acting_user=_user("agency_sunshine"),
            station=sunshine_station(),
            division=Division.objects.filter(code__startswith=sunshine_station().division_id, level=5).first(),
            data={
                "name": "小刚",
                "birth_date": timezone.localdate() - dt.timedelta(days=365 * 6),
                "categories": ["children"],
                "consent": True,
                "consent_by": "self",
                "consent_date": timezone.localdate(),
            },
        )
    assert "consent_by" in exc.value.message_dict


def test_categories_come_from_the_policy_vocabulary() -> None:
    with pytest.raises(ValidationError):
        sa.beneficiary_update(acting_user=_user("agency_sunshine"), beneficiary=person(), data={"categories": ["vip"]})


def test_api_masks_personal_data_and_unmasking_is_audited() -> None:
    who = person()
    who.id_number = "350425195001011234"
    who.phone = "13805981234"
    Beneficiary.objects.bulk_update([who], ["phone"])  # update() refuses hashed personal fields
    client = _client("datian_bureau")
    row = client.get(f"/api/v1/beneficiaries/{who.public_id}/").json()
    assert "1380598" not in str(row["phone"])
    response = client.post(
        f"/api/v1/beneficiaries/{who.public_id}/unmask/",
        {"reason": "verify", "reason_text": "上门前电话预约"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["values"]["phone"] == "13805981234"
    assert _client("fj_province").post(
        f"/api/v1/beneficiaries/{who.public_id}/unmask/",
        {"reason": "verify", "reason_text": "核对"},
        content_type="application/json",
    ).status_code in (404, 405)


# --- offline drafts ------------------------------------------------------------------------------------------


def test_an_offline_draft_resubmitted_twice_saves_once() -> None:
    client = _client("agency_sunshine")
    key = str(uuid.uuid4())
    payload = {
        "station": sunshine_station().pk,
        "kind": "community",
        "date": str(timezone.localdate()),
        "hours": "3.00",
        "title": "离线草稿活动",
        "item": listed_item().pk,
        "client_key": key,
    }
    first = client.post("/api/v1/service-records/", payload, content_type="application/json")
    second = client.post("/api/v1/service-records/", payload, content_type="application/json")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert ServiceRecord.objects.filter(client_key=key).count() == 1
    who = person()
    visit = {"beneficiary": str(who.public_id), "date": str(timezone.localdate()), "checks": OK, "client_key": key}
    a = client.post("/api/v1/visits/", visit, content_type="application/json")
    b = client.post("/api/v1/visits/", visit, content_type="application/json")
    assert a.json()["id"] == b.json()["id"] and Visit.objects.filter(beneficiary=who).count() == 1


# --- the negative list and the professional-hours share ------------------------------------------------------


def test_negative_list_work_is_never_professional() -> None:
    agency = _user("agency_sunshine")
    base = {"date": timezone.localdate(), "hours": Decimal("1"), "title": "低保审批材料"}
    with pytest.raises(ValidationError) as exc:
        sa.record_create(
            acting_user=agency, station=sunshine_station(), data={**base, "kind": "case", "admin_function": "审批"}
        )
    assert "kind" in exc.value.message_dict
    record = sa.record_create(
        acting_user=agency, station=sunshine_station(), data={**base, "kind": "admin", "admin_function": "审批"}
    )
    assert not record.is_professional


def test_professional_work_names_an_item_of_the_stations_service_list() -> None:
    agency = _user("agency_sunshine")
    station = sunshine_station()
    today = timezone.localdate()
    base = {"date": today, "hours": Decimal("1"), "title": "协助村委会填报报表"}
    # Outside the list (no item): refused as professional work, with the rule and the clause …
    for kind in ("case", "group", "community", "visit"):
        with pytest.raises(ValidationError) as exc:
            sa.record_create(acting_user=agency, station=station, data={**base, "kind": kind})
        message = exc.value.message_dict["item"][0]
        assert "服务清单" in message and "行政事务" in message and "第三部分第（二）项" in message, message
    # … and through the API, nothing saved.
    before = ServiceRecord.objects.count()
    response = _client("agency_sunshine").post(
        "/api/v1/service-records/",
        {"station": station.pk, "kind": "group", "date": str(today), "hours": "1.00", "title": "清单外"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "行政事务" in response.content.decode()
    assert ServiceRecord.objects.count() == before
    # … but recordable as administrative work.
    assert not sa.record_create(acting_user=agency, station=station, data={**base, "kind": "admin"}).is_professional
    # No confirmed list yet: any item of the catalogue the policy names (Datian names none: every catalogue's).
    items, _ = sa.allowed_items(station)
    chosen, other = list(items.order_by("pk")[:2])
    sa.record_create(acting_user=agency, station=station, data={**base, "kind": "group", "item": other})
    # Once the bureau and the township confirm the station's list for the year, only its items count.
    obj, _ = StationServiceList.objects.update_or_create(
        station=station, year=today.year, defaults={"catalogue": chosen.domain.catalogue, "status": "draft"}
    )
    obj.items.set([chosen])
    sa.service_list_submit(acting_user=agency, service_list=obj)
    sa.service_list_confirm(acting_user=_user("datian_bureau"), service_list=obj)
    sa.service_list_confirm(acting_user=_user("junxi_town"), service_list=obj)
    with pytest.raises(ValidationError) as exc:
        sa.record_create(acting_user=agency, station=station, data={**base, "kind": "group", "item": other})
    assert other.name in exc.value.message_dict["item"][0] and "已确认" in exc.value.message_dict["item"][0]
    assert sa.record_create(acting_user=agency, station=station, data={**base, "kind": "group", "item": chosen}).pk
    # A home visit through the visit form (its checklist, the visit rule) needs no item.
    assert sa.visit_create(acting_user=agency, beneficiary=person(), date=today, checks=OK).record.kind == "visit"


def test_the_professional_share_is_computed() -> None:
    agency = _user("agency_sunshine")
    station = sunshine_station()
    day = dt.date(2031, 3, 10)
    for kind, hours in (("case", "3"), ("group", "3"), ("admin", "4")):
        ServiceRecord.objects.create(
            station=station, kind=kind, date=day, hours=Decimal(hours), title="统计", recorded_by=agency
        )
    summary = monthly_summary(ServiceRecord.objects.for_user(agency), 2031, 3)
    assert summary["total_hours"] == Decimal("10.00")
    assert summary["professional_hours"] == Decimal("6.00")
    assert summary["share"] == Decimal("0.6000")


# --- station service lists -----------------------------------------------------------------------------------


def test_service_list_is_confirmed_by_bureau_and_township() -> None:
    obj = service_list()
    sa.service_list_submit(acting_user=_user("agency_sunshine"), service_list=obj)
    sa.service_list_confirm(acting_user=_user("datian_bureau"), service_list=obj)
    obj.refresh_from_db()
    assert obj.status == StationServiceList.Status.SUBMITTED  # the township has not confirmed yet
    sa.service_list_confirm(acting_user=_user("junxi_town"), service_list=obj)
    obj.refresh_from_db()
    assert obj.status == StationServiceList.Status.CONFIRMED


def test_a_returned_list_carries_comments_and_can_be_resubmitted() -> None:
    obj = service_list()
    sa.service_list_submit(acting_user=_user("agency_sunshine"), service_list=obj)
    with pytest.raises(ValidationError):
        sa.service_list_return(acting_user=_user("junxi_town"), service_list=obj, comments="  ")
    sa.service_list_return(acting_user=_user("junxi_town"), service_list=obj, comments="请补充儿童关爱项目")
    obj.refresh_from_db()
    assert obj.status == "returned" and obj.comments == "请补充儿童关爱项目"
    sa.service_list_submit(acting_user=_user("agency_sunshine"), service_list=obj)


# --- cases and referrals -------------------------------------------------------------------------------------


def test_case_moves_through_its_stages_in_order() -> None:
    agency = _user("agency_sunshine")
    today = timezone.localdate()
    case = sa.case_open(
        acting_user=agency,
        beneficiary=person(),
        title="个案",
        intake_date=today - dt.timedelta(days=10),
        intake_note="接案",
    )
    with pytest.raises(ValidationError):
        sa.case_advance(acting_user=agency, case=case, date=today - dt.timedelta(days=20), text="早于接案")
    for n, stage in enumerate(["assessment", "plan", "intervention", "evaluation", "closed"]):
        case = sa.case_advance(
            acting_user=agency, case=case, date=today - dt.timedelta(days=5 - n), text=f"{stage}工作"
        )
        assert case.stage == stage
    assert case.closed_date == today - dt.timedelta(days=1)


def test_referral_is_accepted_by_the_receiving_agency_only() -> None:
    sender = _user("agency_sunshine")
    case = sa.case_open(
        acting_user=sender, beneficiary=person(), title="转介个案", intake_date=timezone.localdate(), intake_note="接案"
    )
    referral = sa.referral_create(acting_user=sender, case=case, to_station=harmony_station(), reason="迁居")
    client = _client("agency_harmony")
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    assert _client("agency_sunshine").post(f"/api/v1/referrals/{referral.pk}/accept/").status_code == 404
    response = client.post(f"/api/v1/referrals/{referral.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"


def test_a_childs_referral_is_seen_only_by_the_roles_that_serve_children() -> None:
    sender = _user("agency_sunshine")
    child = _child("转介保密儿童")
    case = sa.case_open(
        acting_user=sender, beneficiary=child, title="儿童个案", intake_date=timezone.localdate(), intake_note="接案"
    )
    reason = "孩子随外婆迁居，需继续跟进"
    referral = sa.referral_create(acting_user=sender, case=case, to_station=harmony_station(), reason=reason)
    for name in ("junxi_town", "fj_province"):
        client = _client(name)
        assert client.get(f"/services/referrals/{referral.pk}/").status_code == 404, name
        assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404, name
        assert reason not in client.get("/api/v1/referrals/?limit=1000").content.decode(), name
    for name in ("datian_bureau", "agency_sunshine", "agency_harmony"):
        assert reason in _client(name).get(f"/services/referrals/{referral.pk}/").content.decode(), name


# --- Excel import and export ---------------------------------------------------------------------------------


def _sheet(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([c[0] for c in COLUMNS])  # type: ignore[union-attr]
    for row in rows:
        sheet.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Client, data: bytes, name: str = "people.xlsx") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post("/services/beneficiaries/import/", {"station": sunshine_station().pk, "file": upload})


def test_import_is_all_or_nothing_with_row_and_column_messages() -> None:
    village = Division.objects.filter(code__startswith=sunshine_station().division_id, level=5).first()
    assert village is not None
    client = _client("agency_sunshine")
    before = Beneficiary.objects.count()
    bad = _sheet(
        [
            ["导入甲", "", "", "", village.code, "低保对象", "中", "是", ""],
            ["导入乙", "", "", "", village.code, "不存在的类别", "中", "是", ""],
            ["导入丙", "", "", "", "=1+1", "低保对象", "低", "否", ""],
        ]
    )
    response = _upload(client, bad)
    text = response.content.decode()
    assert response.status_code == 400, re.findall(r"invalid-feedback[^<]*<[^>]*>[^<]*", text)
    errors = re.findall(r"<li>([^<]*)</li>", text) + re.findall(
        r"exclamation-circle\" aria-hidden=\"true\"></i>([^<]*)", text
    )
    assert any("第 3 行 F 列" in e for e in errors) and any("第 4 行 E 列" in e for e in errors), errors
    assert Beneficiary.objects.count() == before
    body = "35042519580304123"
    good = _sheet([["导入甲", body + check_character(body), "", "", village.code, "低保对象、残疾人", "中", "是", ""]])
    response = _upload(client, good)
    assert response.status_code == 302, re.findall(r"<li>([^<]*)</li>", response.content.decode())
    assert Beneficiary.objects.count() == before + 1
    assert _upload(client, b"not a zip").status_code == 400


def test_beneficiaries_export_in_clear_with_a_reason_audited_per_person() -> None:
    from core.models import AuditLog

    who = person()
    who.phone = "13805986666"
    Beneficiary.objects.bulk_update([who], ["phone"])
    url = f"/services/beneficiaries/export/?station={who.station_id}"
    bureau = _client("datian_bureau")
    assert "导出完整信息" in bureau.get("/services/beneficiaries/").content.decode()
    assert bureau.get(url).status_code == 200  # the reason form
    before = AuditLog.objects.filter(event="export").count()
    refused = bureau.post(url, {"reason": "", "reason_text": ""})
    assert refused.status_code == 400 and AuditLog.objects.filter(event="export").count() == before
    response = bureau.post(url, {"reason": "verify", "reason_text": "核对低保对象电话"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]  # type: ignore[union-attr]
    assert "13805986666" in values
    rows = AuditLog.objects.filter(event="export", subject_id=str(who.public_id))
    assert rows.exists() and rows.first().changes["clear"] is True  # type: ignore[union-attr]
    # Other roles: no link, 404; a station out of reach: 404.
    for name in ("junxi_town", "agency_sunshine", "fj_province"):
        assert "导出完整信息" not in _client(name).get("/services/beneficiaries/").content.decode(), name
        assert _client(name).post(url, {"reason": "verify", "reason_text": "核对"}).status_code == 404, name
    assert bureau.get(f"/services/beneficiaries/export/?station={outside_station().pk}").status_code == 404


def test_exports_are_masked() -> None:
    who = person()
    who.phone = "13805987777"
    Beneficiary.objects.bulk_update([who], ["phone"])
    response = _client("datian_bureau").get("/services/beneficiaries/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]  # type: ignore[union-attr]
    assert "13805987777" not in values and any("7777" in v and "*" in v for v in values)
    records = _client("agency_sunshine").get("/services/records/?export=xlsx")
    assert records.status_code == 200
    assert all(
        isinstance(c.value, str | int | float | dt.date | dt.datetime | Decimal | type(None))
        for row in load_workbook(io.BytesIO(records.content)).active.iter_rows()
        for c in row
    )  # type: ignore[union-attr]


def test_the_sweep_tells_the_agency_once_who_is_not_visited_this_week() -> None:
    _weekly_visits_in_datian()
    who = person()
    today = timezone.localdate()
    sunday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=6)
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    obligation = Obligation.objects.get(kind="services.weekly_visit", object_id=who.pk)
    assert obligation.owner.name == "大田县阳光社会工作服务中心"  # type: ignore[union-attr]
    assert obligation.due_date == sunday
    run_sweep(today=sunday, kind_keys=["services.weekly_visit"])
    run_sweep(today=sunday, kind_keys=["services.weekly_visit"])
    told = Notification.objects.filter(obligation=obligation)
    assert told.filter(recipient__username="agency_sunshine").count() == 1
    assert told.filter(recipient__username="datian_bureau").count() == 1
    # The township government of the person's township is told too, once.
    township = who.division_id[:9]
    township_users = User.objects.filter(organisation__kind="township", organisation__division_id=township)
    assert township_users.exists()
    assert told.filter(recipient__in=township_users).count() == township_users.count()
    assert not told.filter(recipient__organisation__kind="township").exclude(recipient__in=township_users).exists()
    sa.visit_create(acting_user=_user("agency_sunshine"), beneficiary=who, date=today, checks=OK)
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.DONE


def test_a_visit_next_week_does_not_settle_a_missed_week() -> None:
    """Each week's visit duty is settled on its own [004 §2]: last week's missed visit stays overdue when the
    person is visited this week, and this week's duty is then not owed at all."""
    _weekly_visits_in_datian()
    who = person()
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=7)
    run_sweep(today=last_week, kind_keys=["services.weekly_visit"])
    missed = Obligation.objects.get(kind="services.weekly_visit", object_id=who.pk)
    assert missed.period == iso_week(last_week)
    sa.visit_create(acting_user=_user("agency_sunshine"), beneficiary=who, date=today, checks=OK)
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    missed.refresh_from_db()
    assert missed.state == Obligation.State.OVERDUE
    assert Obligation.objects.filter(kind="services.weekly_visit", object_id=who.pk).count() == 1
    # A visit dated in the missed week (recorded late) settles it.
    sa.visit_create(acting_user=_user("agency_sunshine"), beneficiary=who, date=last_week, checks=OK)
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    missed.refresh_from_db()
    assert missed.state == Obligation.State.DONE


def test_twice_a_week_is_due_until_the_second_visit_of_the_calendar_week(user_client: Any) -> None:
    _weekly_visits_in_datian(times=2)
    who = person()
    agency = _user("agency_sunshine")
    today = timezone.localdate()
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    obligation = Obligation.objects.get(kind="services.weekly_visit", object_id=who.pk)
    sa.visit_create(acting_user=agency, beneficiary=who, date=today, checks=OK)
    # One visit of the two: still due on the list, the page, the API; the week's obligation stays open.
    assert due_this_week(agency, today).filter(pk=who.pk).exists()
    assert f'data-due-id="{who.public_id}"' in user_client("agency_sunshine").get("/services/").content.decode()
    ids = {r["id"] for r in user_client("junxi_town").get("/api/v1/visits/?due=this_week").json()["results"]}
    assert str(who.public_id) in ids
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    obligation.refresh_from_db()
    assert obligation.state != Obligation.State.DONE
    # A visit last week does not count for this week; the second visit this week settles it.
    sa.visit_create(acting_user=agency, beneficiary=who, date=today - dt.timedelta(days=7), checks=OK)
    assert due_this_week(agency, today).filter(pk=who.pk).exists()
    sa.visit_create(acting_user=agency, beneficiary=who, date=today, checks=OK)
    assert not due_this_week(agency, today).filter(pk=who.pk).exists()
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.DONE
    assert Obligation.objects.filter(kind="services.weekly_visit", object_id=who.pk).count() == 1


def test_a_monthly_visit_rule_is_counted_per_calendar_month() -> None:
    _weekly_visits_in_datian(times=1, per="month")
    who = person()
    agency = _user("agency_sunshine")
    today = timezone.localdate()
    assert due_this_week(agency, today).filter(pk=who.pk).exists()  # not ignored: due this month
    first = today.replace(day=1)
    sa.visit_create(acting_user=agency, beneficiary=who, date=first - dt.timedelta(days=1), checks=OK)
    assert due_this_week(agency, today).filter(pk=who.pk).exists()  # last month's visit does not count
    sa.visit_create(acting_user=agency, beneficiary=who, date=first, checks=OK)
    assert not due_this_week(agency, today).filter(pk=who.pk).exists()
    # No weekly obligation comes of a monthly rule.
    run_sweep(today=today, kind_keys=["services.weekly_visit"])
    assert not Obligation.objects.filter(kind="services.weekly_visit", object_id=who.pk).exists()


def test_visit_ledger_per_month_as_excel_and_pdf() -> None:
    who = person()
    sa.visit_create(
        acting_user=_user("agency_sunshine"),
        beneficiary=who,
        date=timezone.localdate(),
        checks={**OK, "housing": "fail"},
    )
    client = _client("junxi_town")
    month = timezone.localdate().strftime("%Y-%m")
    response = client.get(f"/services/visits/?export=xlsx&month={month}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert "居所房屋安全" in rows[0]
    assert any(who.name in row and "有问题" in row for row in rows[1:])
    assert _client("shipai_town").get(f"/services/visits/?export=xlsx&month={month}").status_code == 200
    shipai = list(
        load_workbook(
            io.BytesIO(_client("shipai_town").get(f"/services/visits/?export=xlsx&month={month}").content)
        ).active.iter_rows(values_only=True)
    )  # type: ignore[union-attr]
    assert not any(who.name in row for row in shipai[1:])
    pdf = client.get(f"/services/visits/?export=pdf&month={month}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/beneficiaries/",
        "/api/v1/service-records/",
        "/api/v1/visits/",
        "/api/v1/escalations/",
        "/api/v1/cases/",
        "/api/v1/referrals/",
        "/api/v1/station-service-lists/",
        "/services/beneficiaries/",
        "/services/records/",
        "/services/visits/",
    ],
)
def test_lists_run_a_fixed_number_of_queries(url: str) -> None:
    """No N+1: a list of many rows runs as many queries as a list of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client("agency_sunshine")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(6):
        who = person()
        sa.visit_create(
            acting_user=_user("agency_sunshine"),
            beneficiary=who,
            date=timezone.localdate(),
            checks={**OK, "diet": "fail"},
        )
        sa.case_open(
            acting_user=_user("agency_sunshine"),
            beneficiary=who,
            title="个案",
            intake_date=timezone.localdate(),
            intake_note="接案",
        )
    service_list()
    assert count() == few, url


def test_the_record_page_names_its_social_workers() -> None:
    from staffing.models import SocialWorker

    station = sunshine_station()
    body = "35042519900101234"
    worker = SocialWorker.objects.create(
        agency=_user("agency_sunshine").organisation,
        division=station.division,
        station=station,
        name="社工小张",
        id_number=body + check_character(body),
        education="high_school",
        hired_on=timezone.localdate(),
    )
    client = _client("agency_sunshine")
    assert "社工小张" in client.get("/services/records/new/").content.decode()
    response = client.post(
        "/services/records/new/",
        {
            "station": station.pk,
            "kind": "group",
            "date": str(timezone.localdate()),
            "hours": "2",
            "title": "社工带领的小组",
            "item": listed_item(station).pk,
            "workers": [worker.pk],
            "client_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get(title="社工带领的小组")
    assert list(record.workers.all()) == [worker] and record.recorded_by.username == "agency_sunshine"


def test_luzhou_stations_without_teams_or_organisations_show_as_short_of_the_targets() -> None:
    """[001 §5(5)]: a county headquarters incubates 10 organisations a year, a pilot township station forms 2
    volunteer teams, 30 volunteers and incubates 2; a station that registered none is short, not absent."""
    from accounts.models import Organisation
    from stations.models import Station
    from tests.staffing.support import LUZHOU_TOWN, township

    town = township(LUZHOU_TOWN, "南城街道")
    county = Division.objects.get(code=LUZHOU_TOWN[:6])
    hq = Station.objects.create(name="江阳区社会工作服务总站", division=county, level="county_hq", status="operating")
    station = Station.objects.create(name="南城街道社会工作服务站", division=town, level="township", status="operating")
    bureau = Organisation.objects.create(kind="bureau", name="江阳区民政局", division=county)
    user = User.objects.create_user(username="jiangyang_bureau", password="x-Passw0rd-x", organisation=bureau)
    client = Client()
    client.force_login(user)
    page = client.get("/services/volunteers/").content.decode()
    cards = {m.group(1): m.group(2) for m in re.finditer(r'data-station-id="(\d+)">(.*?)</div>\s*</div>', page, re.S)}
    assert str(hq.pk) in cards and str(station.pk) in cards, page[:2000]
    assert "【不符合】县级总站每年孵化社会组织数" in cards[str(hq.pk)], cards[str(hq.pk)]
    assert "孵化社会组织 0 个" in cards[str(hq.pk)]
    assert "志愿服务队 0 支" in cards[str(station.pk)]
    # Datian's policy sets no such target: its stations without teams are not listed as short.
    datian = _client("datian_bureau").get("/services/volunteers/").content.decode()
    assert f'data-station-id="{harmony_station().pk}"' not in datian


# --- volunteers API ------------------------------------------------------------------------------------------


def test_volunteer_teams_and_incubated_organisations_through_the_api(user_client: Any) -> None:
    """An agency registers a team and an organisation at its station; a township reads its own; out of scope 404;
    bad input a Chinese 400 with nothing saved."""
    agency = user_client("agency_sunshine")
    station = sunshine_station()
    today = timezone.localdate()
    made = agency.post(
        "/api/v1/volunteer-teams/",
        {"station": station.pk, "name": "邻里守望服务队", "founded_on": str(today), "members": 15},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["members"], body["station_name"]) == ("邻里守望服务队", 15, station.name)
    org = agency.post(
        "/api/v1/incubated-organisations/",
        {"station": station.pk, "name": "均溪镇老年协会二", "registered_on": str(today)},
        content_type="application/json",
    )
    assert org.status_code == 201, org.content
    before = VolunteerTeam.objects.count()
    bad = agency.post(
        "/api/v1/volunteer-teams/",
        {"station": station.pk, "name": "空队", "founded_on": str(today), "members": 0},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "members" in bad.json()
    assert VolunteerTeam.objects.count() == before
    # The township of the station reads the team; the year filter works; a bad year is a Chinese 400.
    township = user_client("junxi_town")
    ids = [r["id"] for r in township.get(f"/api/v1/volunteer-teams/?year={today.year}").json()["results"]]
    assert body["id"] in ids
    assert township.get(f"/api/v1/volunteer-teams/?year={today.year - 5}").json()["results"] == []
    assert "年份" in township.get("/api/v1/volunteer-teams/?year=20x6").json()["year"]
    # A township cannot register a team (agency work); another county's station is not found.
    refused = township.post(
        "/api/v1/volunteer-teams/",
        {"station": station.pk, "name": "乡镇队", "founded_on": str(today), "members": 3},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)
    elsewhere = agency.post(
        "/api/v1/volunteer-teams/",
        {"station": outside_station().pk, "name": "县外队", "founded_on": str(today), "members": 3},
        content_type="application/json",
    )
    assert elsewhere.status_code == 404
    assert VolunteerTeam.objects.count() == before
