"""Nantong's four-party care agreements [004 §3(7)]: drafted on a page by the township or the county bureau, signed
after the policy findings on the station (registered 民非, its head a township civil-affairs employee [004 §3(3)]),
ended with a reason; every write audited; the API masks the people and hides a child's agreement from the
township."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
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
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
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
    assert agreement.end_date == max(min(dt.date(2026, 12, 31), today), agreement.start_date)
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
