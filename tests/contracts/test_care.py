"""Nantong's four-party care agreements [004 §3(7)]: drafted on a page by the township or the county bureau, signed
after the policy findings on the station (registered 民非, its head a township civil-affairs employee [004 §3(3)]),
ended with a reason; every write audited; the API masks the people and hides a child's agreement from the
township."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from contracts import actions as ca
from contracts.models import CareAgreement
from core.models import AuditLog
from tests.contracts import care_support as cs

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _form(place) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "number": "RG-CARE-1",
        "village": place.village.code,
        "station": place.station.pk,
        "worker": place.worker.pk,
        "beneficiary": place.person.pk,
        "start_date": f"{timezone.localdate().year}-01-01",
        "end_date": f"{timezone.localdate().year}-12-31",
        "station_legal_person": "on",
        "station_credit_code": "",
        "station_head_name": "王建国",
        "station_head_civil_affairs": "on",
    }


def test_the_township_drafts_signs_and_ends_a_care_agreement(demo: None) -> None:
    place = cs.nantong()
    town = _client(place.town_user)
    form = town.get("/care-agreements/new/").content.decode()
    assert "陈晓燕" in form and place.village.name in form and "<select" in form
    response = town.post("/care-agreements/new/", _form(place))
    agreement = CareAgreement.objects.get(number="RG-CARE-1")
    assert response.status_code == 302 and response["Location"] == f"/care-agreements/{agreement.pk}/"
    assert agreement.status == "draft" and agreement.township == place.town_org
    page = town.get(f"/care-agreements/{agreement.pk}/").content.decode()
    # The findings before signing name the Nantong clauses; the people are masked (the surname stays).
    assert "政策核对（签订前）" in page and "陈**" in page and "陈晓燕" not in page
    today = timezone.localdate()
    town.post(f"/care-agreements/{agreement.pk}/sign/", {"date": today.isoformat()})
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.signed_date == today
    kept = {f["rule_key"]: f for f in agreement.findings}
    assert kept["contract.care_agreement_parties"]["outcome"] == "pass"
    assert kept["contract.care_agreement_parties"]["clause"] == "[004 §3(7)]"
    assert kept["station.legal_person_required"]["outcome"] == "pass"
    assert kept["staff.station_head"]["outcome"] == "pass" and kept["staff.station_head"]["clause"] == "[004 §3(3)]"
    town.post(f"/care-agreements/{agreement.pk}/end/", {"date": today.isoformat(), "reason": ""})
    agreement.refresh_from_db()
    assert agreement.status == "signed"  # no reason: refused
    town.post(f"/care-agreements/{agreement.pk}/end/", {"date": today.isoformat(), "reason": "服务对象入住敬老院"})
    agreement.refresh_from_db()
    assert agreement.status == "ended" and agreement.end_reason == "服务对象入住敬老院"
    assert agreement.end_date == max(min(dt.date(today.year, 12, 31), today), agreement.start_date)
    events = set(AuditLog.objects.filter(object_id=str(agreement.pk)).values_list("event", flat=True))
    assert {"create", "sign", "end"} <= events


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        ({"station_legal_person": False}, "社工站须登记为法人"),
        ({"station_head_civil_affairs": False}, "不是乡镇（街道）从事民政工作的事业性质人员"),
        ({"station_head_name": ""}, "未填写"),
    ],
)
def test_signing_is_refused_with_the_clause_when_the_station_fails_nantongs_rule(demo: None, facts, words) -> None:  # type: ignore[no-untyped-def]
    place = cs.nantong()
    agreement = cs.care_agreement(place, **facts)
    with pytest.raises(ValidationError) as refused:
        ca.care_agreement_sign(acting_user=place.town_user, agreement=agreement, signed_date=timezone.localdate())
    text = " ".join(refused.value.messages)
    # The refusal names the clause: 《关于进一步加强乡镇（街道）社工站建设的实施意见》 第三部分第（三）项 [004 §3(3)].
    assert words in text and "第三部分第（三）项" in text, text
    agreement.refresh_from_db()
    assert agreement.status == "draft" and agreement.findings == []


def test_where_the_policy_is_silent_the_findings_say_so_and_do_not_block(demo: None) -> None:
    from django.contrib.auth import get_user_model

    agreement = cs.care_agreement(cs.datian(), station_legal_person=False, station_head_civil_affairs=False)
    town = get_user_model().objects.get(username="junxi_town")
    ca.care_agreement_sign(acting_user=town, agreement=agreement, signed_date=timezone.localdate())
    agreement.refresh_from_db()
    outcomes = {f["rule_key"]: f["outcome"] for f in agreement.findings}
    assert outcomes["station.legal_person_required"] == "unknown"
    assert outcomes["contract.care_agreement_parties"] == "unknown"


def test_the_form_refuses_a_person_of_another_village_in_chinese(demo: None) -> None:
    from stations.models import Division

    place = cs.nantong()
    other = Division.objects.filter(code__startswith=cs.NANTONG_TOWN, level=5).exclude(pk=place.village.pk)[0]
    stranger = cs.person(place.station, other)
    body = _client(place.bureau_user).post("/care-agreements/new/", {**_form(place), "beneficiary": stranger.pk})
    assert "服务对象须住在所选村（社区）" in body.content.decode()
    assert not CareAgreement.objects.filter(number="RG-CARE-1").exists()


def test_a_township_cannot_sign_for_another(demo: None) -> None:
    place = cs.nantong()
    agreement = cs.care_agreement(place)
    junxi = Client()
    from django.contrib.auth import get_user_model

    junxi.force_login(get_user_model().objects.get(username="junxi_town"))
    assert junxi.get(f"/care-agreements/{agreement.pk}/").status_code == 404
    assert junxi.post(f"/care-agreements/{agreement.pk}/sign/", {"date": "2026-01-02"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == "draft"


def test_the_api_masks_people_and_hides_a_childs_agreement_from_the_township(demo: None) -> None:
    place = cs.nantong()
    adult = cs.care_agreement(place, status="signed")
    child = cs.care_agreement(place, beneficiary=cs.person(place.station, place.village, birth=dt.date(2019, 2, 1)))
    town = _client(place.town_user).get("/api/v1/care-agreements/").json()
    rows = {r["id"]: r for r in town["results"]}
    assert adult.pk in rows and child.pk not in rows
    row = rows[adult.pk]
    assert row["beneficiary_name"] == adult.beneficiary.name[0] + "*" * (len(adult.beneficiary.name) - 1)
    assert row["worker_name"] == "陈**" and "id_number" not in row
    assert row["beneficiary"] == str(adult.beneficiary.public_id)
    assert {a["action"] for a in row["allowed_actions"]} == {"care_agreements.end"}
    assert _client(place.town_user).get(f"/api/v1/care-agreements/{child.pk}/").status_code == 404
    bureau = _client(place.bureau_user).get("/api/v1/care-agreements/?state=draft").json()
    assert [r["id"] for r in bureau["results"]] == [child.pk]
    assert _client(place.bureau_user).get("/api/v1/care-agreements/?state=nonsense").status_code == 400


def _term() -> tuple[dt.date, dt.date]:
    """A term around today, so signing today is always inside it (tests never depend on the wall-clock date)."""
    today = timezone.localdate()
    return today - dt.timedelta(days=30), today + dt.timedelta(days=300)


def test_the_township_edits_its_draft_and_nothing_else(demo: None) -> None:
    from django.contrib.auth import get_user_model

    place = cs.nantong()
    start, end = _term()
    draft = cs.care_agreement(place, start_date=start, end_date=end)
    town = _client(place.town_user)
    page = town.get(f"/care-agreements/{draft.pk}/").content.decode()
    assert f'href="/care-agreements/{draft.pk}/edit/"' in page
    form = town.get(f"/care-agreements/{draft.pk}/edit/").content.decode()
    assert "修改四方服务协议草稿" in form and draft.number in form
    data = {
        **_form(place),
        "number": draft.number,
        "beneficiary": draft.beneficiary.pk,
        "start_date": start.isoformat(),
        "end_date": (end - dt.timedelta(days=10)).isoformat(),
        "station_head_name": "李建华",
    }
    response = town.post(f"/care-agreements/{draft.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/care-agreements/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.station_head_name == "李建华" and draft.end_date == end - dt.timedelta(days=10)
    row = AuditLog.objects.get(object_type="contracts.CareAgreement", object_id=str(draft.pk), event="update")
    assert set(row.changes) == {"end_date", "station_head_name"}
    # A person of another village: refused in Chinese, nothing saved.
    from stations.models import Division

    other = Division.objects.filter(code__startswith=cs.NANTONG_TOWN, level=5).exclude(pk=place.village.pk)[0]
    stranger = cs.person(place.station, other)
    body = town.post(f"/care-agreements/{draft.pk}/edit/", {**data, "beneficiary": stranger.pk}).content.decode()
    assert "服务对象须住在所选村（社区）" in body
    draft.refresh_from_db()
    assert draft.beneficiary_id != stranger.pk
    # A signed agreement is not edited; another township and the agency get 404.
    signed = cs.care_agreement(place, status="signed")
    assert town.get(f"/care-agreements/{signed.pk}/edit/").status_code == 404
    assert f"/care-agreements/{signed.pk}/edit/" not in town.get(f"/care-agreements/{signed.pk}/").content.decode()
    for username in ("junxi_town", "agency_sunshine"):
        other_client = _client(get_user_model().objects.get(username=username))
        assert other_client.get(f"/care-agreements/{draft.pk}/edit/").status_code == 404
        assert other_client.post(f"/care-agreements/{draft.pk}/edit/", data).status_code == 404
    with pytest.raises(PermissionDenied, match="履行中"):
        ca.care_agreement_update(acting_user=place.town_user, agreement=signed, data={"station_head_name": "赵"})


def test_the_api_creates_edits_signs_and_ends_saying_what_comes_next(demo: None) -> None:
    place = cs.nantong()
    start, end = _term()
    api = _client(place.bureau_user)
    payload = {
        "number": "RG-API-1",
        "village": place.village.code,
        "station": place.station.pk,
        "worker": str(place.worker.public_id),
        "beneficiary": str(place.person.public_id),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "station_legal_person": True,
        "station_head_name": "王建国",
        "station_head_civil_affairs": True,
    }
    created = api.post("/api/v1/care-agreements/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["township"]["id"] == place.town_org.pk
    assert {a["action"] for a in body["allowed_actions"]} == {"care_agreements.update", "care_agreements.sign"}
    patched = api.patch(f"/api/v1/care-agreements/{pk}/", {"station_credit_code": ""}, content_type="application/json")
    assert patched.status_code == 200
    patched = api.patch(
        f"/api/v1/care-agreements/{pk}/",
        {"end_date": (start - dt.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert patched.status_code == 400 and "不能早于开始日期" in patched.content.decode()
    signed = api.post(
        f"/api/v1/care-agreements/{pk}/sign/",
        {"signed_date": timezone.localdate().isoformat()},
        content_type="application/json",
    ).json()
    assert signed["status"] == "signed" and [a["action"] for a in signed["allowed_actions"]] == ["care_agreements.end"]
    # A signed agreement is not edited (a state the action refuses answers like one out of reach).
    refused = api.patch(f"/api/v1/care-agreements/{pk}/", {"station_head_name": "赵"}, content_type="application/json")
    assert refused.status_code == 404
    ended = api.post(
        f"/api/v1/care-agreements/{pk}/end/",
        {"ended_date": timezone.localdate().isoformat(), "reason": "服务对象入住敬老院"},
        content_type="application/json",
    ).json()
    assert ended["status"] == "ended" and ended["allowed_actions"] == []
    rows = AuditLog.objects.filter(object_type="contracts.CareAgreement", object_id=str(pk)).order_by("pk")
    events = list(rows.values_list("event", flat=True))
    assert events == ["create", "sign", "end"]  # the blank PATCH changed nothing, the refused one saved nothing


def test_the_api_refuses_parties_outside_the_callers_scope(demo: None) -> None:
    from django.contrib.auth import get_user_model

    place = cs.nantong()
    datian = cs.datian()
    start, end = _term()
    stranger = cs.person(datian.station, datian.village)
    api = _client(place.bureau_user)
    payload = {
        "number": "RG-API-2",
        "village": place.village.code,
        "station": place.station.pk,
        "worker": str(place.worker.public_id),
        "beneficiary": str(stranger.public_id),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
    }
    refused = api.post("/api/v1/care-agreements/", payload, content_type="application/json")
    assert refused.status_code == 400 and "服务对象不存在或不在您的权限范围内" in refused.content.decode()
    assert not CareAgreement.objects.filter(number="RG-API-2").exists()
    draft = cs.care_agreement(place)
    junxi = _client(get_user_model().objects.get(username="junxi_town"))
    assert (
        junxi.patch(
            f"/api/v1/care-agreements/{draft.pk}/", {"station_head_name": "赵"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert junxi.post(f"/api/v1/care-agreements/{draft.pk}/sign/", {"signed_date": "2026-01-02"}).status_code == 404
    agency = _client(get_user_model().objects.get(username="agency_sunshine"))
    assert agency.post("/api/v1/care-agreements/", payload, content_type="application/json").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.station_head_name == "王建国"


def test_the_term_end_is_owed_by_the_township_and_closes_on_renewal_or_end(demo: None) -> None:
    from obligations.models import Obligation
    from obligations.sweep import run_sweep

    place = cs.nantong()
    first = cs.care_agreement(place, status="signed", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    other = cs.care_agreement(place, status="signed", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 6, 30))
    silent = cs.care_agreement(cs.datian(), status="signed")  # Datian's policy asks for no four-party agreement
    kind = "contract.care_agreement.term"
    run_sweep(today=dt.date(2026, 12, 20), kind_keys=[kind])
    owed = {o.object_id: o for o in Obligation.objects.filter(kind=kind)}
    assert str(silent.pk) not in {str(k) for k in owed}
    ob = owed[first.pk] if first.pk in owed else owed[str(first.pk)]  # type: ignore[index]
    assert ob.due_date == dt.date(2026, 12, 31) and ob.owner_id == place.town_org.pk
    assert ob.notify_division_id == cs.NANTONG_COUNTY and ob.link == f"/care-agreements/{first.pk}/"
    assert "第三部分第（七）项" in ob.clause and ob.state in Obligation.OPEN_STATES
    # Renewed: a signed agreement for the same person follows on the next day.
    cs.care_agreement(
        place,
        status="signed",
        beneficiary=first.beneficiary,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    # Ended: the other one is ended by the township.
    CareAgreement.objects.filter(pk=other.pk).update(status="ended", ended_date=dt.date(2026, 6, 30))
    run_sweep(today=dt.date(2026, 12, 21), kind_keys=[kind])
    states = dict(Obligation.objects.filter(kind=kind).values_list("object_id", "state"))
    assert states[first.pk if first.pk in states else str(first.pk)] == Obligation.State.DONE  # type: ignore[index]
    assert states[other.pk if other.pk in states else str(other.pk)] == Obligation.State.DONE  # type: ignore[index]


def test_renewing_drafts_the_next_term_from_the_signed_one(demo: None) -> None:
    from django.contrib.auth import get_user_model

    place = cs.nantong()
    signed = cs.care_agreement(place, status="signed", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    town = _client(place.town_user)
    page = town.get(f"/care-agreements/{signed.pk}/").content.decode()
    assert f"/care-agreements/new/?renew={signed.pk}" in page
    form = town.get(f"/care-agreements/new/?renew={signed.pk}").content.decode()
    assert 'value="2027-01-01"' in form and 'value="2027-12-31"' in form
    assert f'value="{signed.beneficiary_id}" selected' in form
    # Only a signed agreement the caller may change is renewed from; otherwise the form is blank.
    junxi = _client(get_user_model().objects.get(username="junxi_town"))
    assert 'value="2027-01-01"' not in junxi.get(f"/care-agreements/new/?renew={signed.pk}").content.decode()
