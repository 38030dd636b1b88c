"""Pages per role, the screening page, the adequacy page and the short-of-staff obligation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import Organisation
from obligations.models import Obligation
from obligations.sweep import run_sweep
from staffing.demo import id_number
from staffing.models import Assignment, SocialWorker, StaffingCheck
from stations.models import Station
from tests.staffing.support import BAISHA_TOWN, places

pytestmark = pytest.mark.django_db


def test_agency_registers_through_the_page(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("agency_sunshine")
    form = {
        "name": "页面社工",
        "id_number": id_number("350425", dt.date(1996, 2, 2), 512),
        "phone": "13905981234",
        "education": "junior_college",
        "hired_on": "2026-02-01",
    }
    response = client.post("/staffing/workers/new/", form)
    assert response.status_code == 302
    worker = SocialWorker.objects.get(name="页面社工")
    detail = client.get(response["Location"]).content.decode()
    assert worker.id_number not in detail and "1996年" in detail
    bad = client.post("/staffing/workers/new/", {**form, "id_number": "350425199602025120"})
    assert bad.status_code == 400 and "身份证号码" in bad.content.decode()
    station = Station.objects.for_user(worker.agency.users.first()).filter(level="township").first()
    assert station is not None
    assigned = client.post(
        worker.get_absolute_url(),
        {"do": "assign", "assign-station": station.pk, "assign-role": "full_time", "assign-start_date": "2026-02-02"},
    )
    assert assigned.status_code == 302
    assert Assignment.objects.filter(worker=worker, station=station, end_date__isnull=True).exists()
    assert user_client("junxi_town").get("/staffing/workers/new/").status_code == 404


def test_township_sees_its_team_and_cannot_edit(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    page = client.get("/staffing/").content.decode()
    team = SocialWorker.objects.filter(station__division__code="350425100")
    assert team and all(str(w.public_id) in page for w in team)
    worker = team.first()
    assert worker is not None
    detail = client.get(worker.get_absolute_url()).content.decode()
    assert "修改信息" not in detail and "查看明文" not in detail
    assert client.get(f"/staffing/workers/{worker.public_id}/edit/").status_code == 404


def test_screening_page_explains_each_rule(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("agency_sunshine")
    assert client.get("/staffing/screening/").status_code == 200
    page = client.post(
        "/staffing/screening/",
        {
            "division": "350425100",
            "on": "2026-03-01",
            "id_number": id_number("350425", dt.date(1985, 3, 1), 321),
            "education": "bachelor",
            "employment": "full_time",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200 and "不符合聘用条件" in text and "田政办" in text
    assert id_number("350425", dt.date(1985, 3, 1), 321) not in text


def test_adequacy_page_and_planner(user_client) -> None:  # type: ignore[no-untyped-def]
    page = user_client("datian_bureau").get("/staffing/adequacy/?division=350425100&villages=30")
    text = page.content.decode()
    assert page.status_code == 200 and "/staffing/stations/" in text and "计算依据" in text


def test_short_station_is_an_obligation_of_its_agency(demo: None) -> None:
    places()
    town = Station.objects.create(
        division_id=BAISHA_TOWN, level="township", name="牙叉镇社会工作服务站", status="operating"
    )
    run_sweep(kind_keys=["staffing.short"])
    check = StaffingCheck.objects.get(station=town)
    assert check.short and not check.adequate and "白沙" in check.clause
    ob = Obligation.objects.get(
        kind="staffing.short", content_type=ContentType.objects.get_for_model(StaffingCheck), object_id=check.pk
    )
    assert ob.division_id == BAISHA_TOWN and ob.notify_division_id == "469025"
    assert ob.state != Obligation.State.DONE
    # Three resident workers: the next sweep marks it done.
    agency = Organisation.objects.create(kind="agency", name="白沙测试社工中心", division_id="469025")
    for n in range(3):
        w = SocialWorker.objects.create(
            agency=agency,
            division_id=BAISHA_TOWN,
            station=town,
            name=f"白沙社工{n}",
            id_number=id_number("469025", dt.date(1990, 1, 1 + n), 111 + n),
            education="bachelor",
            hired_on=dt.date(2026, 1, 1),
        )
        Assignment.objects.create(
            worker=w,
            station=town,
            agency=agency,
            role="head" if n == 0 else "full_time",
            start_date=dt.date(2026, 1, 2),
        )
    run_sweep(kind_keys=["staffing.short"])
    check.refresh_from_db()
    ob.refresh_from_db()
    assert check.adequate and not check.short
    assert ob.state == Obligation.State.DONE


def test_certificate_and_labour_contract_are_obligations_of_the_agency(demo: None) -> None:
    """Baisha: no certificate → obtain one within 2 years of hiring. Hired on 29 February 2024, the period ends on
    28 February 2026 (Civil Code art. 202), a Saturday but a make-up working day of the Spring Festival, so it stays;
    a certificate obtained that day is in time."""
    from staffing.models import Certificate, LabourContract

    places()
    agency = Organisation.objects.create(kind="agency", name="白沙证书社工中心", division_id="469025")
    worker = SocialWorker.objects.create(
        agency=agency,
        division_id=BAISHA_TOWN,
        name="待取证社工",
        id_number=id_number("469025", dt.date(1995, 2, 2), 222),
        education="bachelor",
        hired_on=dt.date(2024, 2, 29),
    )
    run_sweep(kind_keys=["staffing.certificate", "staffing.labour_contract"])
    ob = Obligation.objects.get(kind="staffing.certificate", object_id=worker.pk)
    assert ob.due_date == dt.date(2026, 2, 28) and ob.owner_id == agency.pk and ob.notify_division_id == "469025"
    assert "白沙" in ob.clause or "第六部分" in ob.clause
    assert not Obligation.objects.filter(
        kind="staffing.labour_contract", object_id=worker.pk
    ).exists()  # Baisha sets none
    Certificate.objects.create(worker=worker, level="assistant", number="BS-1", obtained_on=dt.date(2026, 2, 28))
    run_sweep(kind_keys=["staffing.certificate"])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE
    from tests.staffing.write_cases import placed_worker

    datian = placed_worker("阳光")  # the demo workers have their contracts; a new one in post has none yet
    run_sweep(kind_keys=["staffing.labour_contract"])
    owed = Obligation.objects.get(kind="staffing.labour_contract", object_id=datian.pk)
    assert owed.owner_id == datian.agency_id and owed.due_date == datian.hired_on
    LabourContract.objects.create(worker=datian, start_date=datian.hired_on)
    run_sweep(kind_keys=["staffing.labour_contract"])
    owed.refresh_from_db()
    assert owed.state == Obligation.State.DONE


def test_screening_pdf(user_client) -> None:  # type: ignore[no-untyped-def]
    response = user_client("agency_sunshine").post(
        "/staffing/screening/",
        {
            "division": "350425100",
            "on": "2026-03-01",
            "birth_date": "1990-05-05",
            "education": "bachelor",
            "employment": "full_time",
            "format": "pdf",
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
