"""The staffing API through HTTP: workers (masked, scoped, written through actions) and the questions."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import AuditLog
from staffing.demo import id_number
from staffing.models import Assignment, Replacement, SocialWorker
from stations.models import Station
from tests.staffing.support import BAISHA_TOWN, LUZHOU_TOWN, NANTONG_TOWN, places

pytestmark = pytest.mark.django_db


def test_list_is_masked_and_scoped(user_client) -> None:  # type: ignore[no-untyped-def]
    rows = user_client("agency_sunshine").get("/api/v1/social-workers/?limit=100").json()["results"]
    assert rows and all(r["agency_name"] == "大田县阳光社会工作服务中心" for r in rows)
    assert all("*" in r["id_number"] for r in rows)
    town = user_client("junxi_town").get("/api/v1/social-workers/?limit=100").json()["results"]
    junxi = {str(w.public_id) for w in SocialWorker.objects.filter(division__pk__startswith="350425100")}
    assert {r["id"] for r in town} == junxi and junxi


def test_agency_registers_assigns_and_replaces(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("agency_sunshine")
    body = {
        "name": "测试员",
        "id_number": id_number("350425", dt.date(1995, 5, 5), 881),
        "phone": "13905980000",
        "education": "本科",
        "major": "社会工作",
        "hired_on": "2026-01-05",
    }
    created = client.post("/api/v1/social-workers/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["birth_date"] == "1995-05-05" and data["sex"] == "M" and data["education"] == "bachelor"
    assert "*" in data["id_number"]
    duplicate = client.post("/api/v1/social-workers/", body, content_type="application/json")
    assert duplicate.status_code == 400 and "已登记" in duplicate.content.decode()
    station = (
        Station.objects.for_user(SocialWorker.objects.get(public_id=data["id"]).agency.users.first())
        .filter(level="township")
        .first()
    )
    assert station is not None
    url = f"/api/v1/social-workers/{data['id']}/"
    r = client.post(url + "assign/", {"station": station.pk, "role": "part_time", "start_date": "2026-02-01"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["station"] == station.pk
    r = client.post(url + "certificates/", {"level": "assistant", "number": "T-1", "obtained_on": "2026-03-01"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["certificates"][0]["level"] == "assistant"
    r = client.post(url + "release/", {"end_date": "2026-04-01", "reason": "other"}, content_type="application/json")
    assert r.status_code == 400  # "other" needs a note
    r = client.post(url + "release/", {"end_date": "2026-04-01", "reason": "resigned", "leaves_agency": True},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    worker = SocialWorker.objects.get(public_id=data["id"])
    assert worker.status == "left" and worker.station_id is None
    assert Assignment.objects.get(worker=worker).end_date == dt.date(2026, 4, 1)
    assert Replacement.objects.filter(outgoing__worker=worker, reason="resigned").exists()
    # Township and bureau cannot write; another agency cannot even see it.
    assert user_client("datian_bureau").patch(url, {"name": "x"}, content_type="application/json").status_code == 404
    assert user_client("agency_harmony").get(url).status_code == 404


def test_unmask_is_audited_and_needs_a_reason(user_client) -> None:  # type: ignore[no-untyped-def]
    worker = SocialWorker.objects.filter(agency__name__contains="阳光").first()
    assert worker is not None
    url = f"/api/v1/social-workers/{worker.public_id}/unmask/"
    client = user_client("agency_sunshine")
    assert client.post(url, {}, content_type="application/json").status_code == 400
    before = AuditLog.objects.count()
    r = client.post(url, {"reason": "verify", "reason_text": "核对身份"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["values"]["id_number"] == worker.id_number
    assert AuditLog.objects.count() == before + 1
    assert user_client("junxi_town").post(url, {"reason": "verify", "reason_text": "x"},
                                          content_type="application/json").status_code == 404  # fmt: skip


def test_eligibility_endpoint_public_keys(user_client) -> None:  # type: ignore[no-untyped-def]
    places()
    body = {
        "division": BAISHA_TOWN,
        "on": "2026-06-09",
        "id_number": id_number("469025", dt.date(1980, 6, 10), 123),
        "education": "大专",
        "certificate": None,
        "household_division": "469025100",
        "employment": "full_time",
    }
    r = user_client("admin").post("/api/v1/staffing/eligibility/", body, content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert set(data) == {"eligible", "findings", "conditions", "preferences"}
    assert data["eligible"] is True
    assert {"rule", "strength", "outcome", "detail", "clause"} <= set(data["findings"][0])
    assert set(data["conditions"][0]) == {"rule", "due", "detail", "clause"}
    body["on"] = "2026-06-10"
    assert (
        user_client("admin")
        .post("/api/v1/staffing/eligibility/", body, content_type="application/json")
        .json()["eligible"]
        is False
    )
    # Outside the user's reach: 404.
    assert (
        user_client("datian_bureau")
        .post("/api/v1/staffing/eligibility/", body, content_type="application/json")
        .status_code
        == 404
    )


def test_requirement_and_adequacy_endpoints(user_client) -> None:  # type: ignore[no-untyped-def]
    places()
    admin = user_client("admin")
    r = admin.get(f"/api/v1/staffing/requirement/?division={NANTONG_TOWN}")
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"division", "villages", "head", "workers", "certified_full_time", "formula", "findings"}
    assert (data["villages"], data["head"], data["workers"]) == (13, 1, 3)
    assert admin.get(f"/api/v1/staffing/requirement/?division={NANTONG_TOWN}&villages=25").json()["workers"] == 5
    check = {"division": LUZHOU_TOWN, "staff": [{"role": "head", "certificate": "助理社会工作师"},
                                                 {"role": "full_time", "certificate": "assistant"}]}  # fmt: skip
    r = admin.post("/api/v1/staffing/adequacy/check/", check, content_type="application/json")
    assert r.status_code == 200 and r.json()["adequate"] is True
    assert set(r.json()) == {"adequate", "findings"}
    check["staff"] = [{"role": "full_time", "certificate": None}]
    assert (
        admin.post("/api/v1/staffing/adequacy/check/", check, content_type="application/json").json()["adequate"]
        is False
    )
    assert admin.get(f"/api/v1/staffing/requirement/?division={BAISHA_TOWN}").json()["workers"] == 3
    bureau = user_client("datian_bureau").get("/api/v1/staffing/adequacy/?division=350425")
    assert bureau.status_code == 200
    stations = bureau.json()["stations"]
    assert stations and all(s["division"].startswith("350425") for s in stations)
    assert user_client("datian_bureau").get("/api/v1/staffing/adequacy/?division=469025").status_code == 404


def test_list_query_count_does_not_grow_with_workers(user_client) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.staffing.write_cases import fresh_worker

    client = user_client("agency_sunshine")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/api/v1/social-workers/"), count("/staffing/"))
    for _ in range(8):
        fresh_worker("阳光")
    assert (count("/api/v1/social-workers/"), count("/staffing/")) == before


def test_employment_records_and_findings_through_the_api(user_client) -> None:  # type: ignore[no-untyped-def]
    worker = SocialWorker.objects.filter(agency__name__contains="阳光", status="employed").first()
    assert worker is not None
    client = user_client("agency_sunshine")
    url = f"/api/v1/social-workers/{worker.public_id}/"
    r = client.post(url + "training/", {"date": "2026-04-01", "kind": "supervision", "hours": "3.5", "topic": "督导"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    r = client.post(url + "pay/", {"month": "2026-04-09", "gross_pay": "-1", "insurance_paid": True},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 400
    r = client.post(url + "labour-contracts/", {"start_date": "2026-01-05", "probation_months": 13},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 400
    found = client.get(url + "employment/?year=2026")
    assert found.status_code == 200
    data = found.json()
    assert data["year"] == 2026 and {"rule", "strength", "outcome", "detail", "clause"} <= set(data["findings"][0])
    assert client.get(url + "employment/?year=1999").status_code == 400
    assert user_client("junxi_town").post(url + "training/", {}, content_type="application/json").status_code == 404
