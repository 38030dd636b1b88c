"""Isolation checks of the services pages and API (collected by tests/test_isolation.py; see tests/checks.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from services.models import (
    Beneficiary,
    Case,
    Escalation,
    IncubatedOrganisation,
    Referral,
    ServiceCatalogue,
    ServicePhoto,
    ServiceRecord,
    StationServiceList,
    Visit,
    VolunteerTeam,
)
from stations.models import Division, Station
from tests.checks import DetailCheck, ListCheck, RolePageCheck, api_ids, html_ids

from . import oracle

UUID = r"[0-9a-f-]{36}"


def _beneficiaries() -> list[Beneficiary]:
    return list(Beneficiary.objects.order_by("pk"))


LISTS = [
    ListCheck("services:home", "/services/", html_ids(rf'data-due-id="({UUID})"'), oracle.due_ids),
    ListCheck(
        "services:station-list-list",
        "/services/lists/",
        html_ids(r'href="/services/lists/(\d+)/"'),
        oracle.service_list_ids,
    ),
    ListCheck(
        "services:beneficiary-list",
        "/services/beneficiaries/",
        html_ids(rf'data-beneficiary-id="({UUID})"'),
        oracle.beneficiary_ids,
    ),
    ListCheck(
        "services:visit-list", "/services/visits/", html_ids(r'href="/services/visits/(\d+)/"'), oracle.visit_ids
    ),
    ListCheck(
        "services:escalation-list",
        "/services/escalations/",
        html_ids(r'href="/services/escalations/(\d+)/"'),
        oracle.escalation_ids,
    ),
    ListCheck(
        "services:record-list",
        "/services/records/",
        html_ids(r'data-record-id="(\d+)"'),
        oracle.month_record_ids,
    ),
    ListCheck("services:case-list", "/services/cases/", html_ids(r'href="/services/cases/(\d+)/"'), oracle.case_ids),
    ListCheck(
        "services:referral-list",
        "/services/referrals/",
        html_ids(r'href="/services/referrals/(\d+)/"'),
        oracle.referral_ids,
    ),
    ListCheck("services:volunteers", "/services/volunteers/", html_ids(r'data-team-id="(\d+)"'), oracle.team_ids),
    ListCheck("api:stationservicelist-list", "/api/v1/station-service-lists/", api_ids(), oracle.service_list_ids),
    ListCheck("api:beneficiary-list", "/api/v1/beneficiaries/", api_ids(), oracle.beneficiary_ids),
    ListCheck("api:servicerecord-list", "/api/v1/service-records/", api_ids(), oracle.record_ids),
    ListCheck("api:visit-list", "/api/v1/visits/", api_ids(), oracle.visit_ids),
    ListCheck("api:escalation-list", "/api/v1/escalations/", api_ids(), oracle.escalation_ids),
    ListCheck("api:case-list", "/api/v1/cases/", api_ids(), oracle.case_ids),
    ListCheck("api:referral-list", "/api/v1/referrals/", api_ids(), oracle.referral_ids),
    ListCheck("api:volunteerteam-list", "/api/v1/volunteer-teams/", api_ids(), oracle.all_team_ids),
    ListCheck("api:incubatedorganisation-list", "/api/v1/incubated-organisations/", api_ids(), oracle.incubated_ids),
]

DETAILS = [
    DetailCheck(
        "services:station-list-detail",
        lambda o: f"/services/lists/{o.pk}/",
        StationServiceList.objects.all,
        oracle.service_list_ids,
    ),
    DetailCheck(
        "api:stationservicelist-detail",
        lambda o: f"/api/v1/station-service-lists/{o.pk}/",
        StationServiceList.objects.all,
        oracle.service_list_ids,
    ),
    DetailCheck(
        "services:beneficiary-detail",
        lambda p: f"/services/beneficiaries/{p.public_id}/",
        _beneficiaries,
        oracle.beneficiary_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck(
        "services:beneficiary-unmask",
        lambda p: f"/services/beneficiaries/{p.public_id}/unmask/",
        _beneficiaries,
        oracle.beneficiary_unmask_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck(
        "services:visit-create",
        lambda p: f"/services/beneficiaries/{p.public_id}/visit/",
        _beneficiaries,
        oracle.visit_create_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck(
        "api:beneficiary-detail",
        lambda p: f"/api/v1/beneficiaries/{p.public_id}/",
        _beneficiaries,
        oracle.beneficiary_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck("services:visit-detail", lambda v: f"/services/visits/{v.pk}/", Visit.objects.all, oracle.visit_ids),
    DetailCheck("api:visit-detail", lambda v: f"/api/v1/visits/{v.pk}/", Visit.objects.all, oracle.visit_ids),
    DetailCheck(
        "services:escalation-detail",
        lambda e: f"/services/escalations/{e.pk}/",
        Escalation.objects.all,
        oracle.escalation_ids,
    ),
    DetailCheck(
        "api:escalation-detail", lambda e: f"/api/v1/escalations/{e.pk}/", Escalation.objects.all, oracle.escalation_ids
    ),
    DetailCheck(
        "services:record-detail",
        lambda r: f"/services/records/{r.pk}/",
        ServiceRecord.objects.all,
        oracle.record_ids,
    ),
    DetailCheck(
        "api:servicerecord-detail",
        lambda r: f"/api/v1/service-records/{r.pk}/",
        ServiceRecord.objects.all,
        oracle.record_ids,
    ),
    DetailCheck("services:case-detail", lambda c: f"/services/cases/{c.pk}/", Case.objects.all, oracle.case_ids),
    DetailCheck("api:case-detail", lambda c: f"/api/v1/cases/{c.pk}/", Case.objects.all, oracle.case_ids),
    DetailCheck(
        "services:referral-detail", lambda r: f"/services/referrals/{r.pk}/", Referral.objects.all, oracle.referral_ids
    ),
    DetailCheck(
        "api:referral-detail", lambda r: f"/api/v1/referrals/{r.pk}/", Referral.objects.all, oracle.referral_ids
    ),
    DetailCheck("services:photo", lambda p: f"/services/photos/{p.pk}/", ServicePhoto.objects.all, oracle.photo_ids),
    DetailCheck(
        "api:volunteerteam-detail",
        lambda t: f"/api/v1/volunteer-teams/{t.pk}/",
        VolunteerTeam.objects.all,
        oracle.all_team_ids,
    ),
    DetailCheck(
        "api:incubatedorganisation-detail",
        lambda o: f"/api/v1/incubated-organisations/{o.pk}/",
        IncubatedOrganisation.objects.all,
        oracle.incubated_ids,
    ),
]

ROLE_PAGES = [
    RolePageCheck("services:station-list-create", "/services/lists/new/", oracle.is_agency),
    RolePageCheck("services:beneficiary-create", "/services/beneficiaries/new/", oracle.field_writer),
    RolePageCheck("services:beneficiary-import", "/services/beneficiaries/import/", oracle.field_writer),
    RolePageCheck(
        "services:beneficiary-import-template", "/services/beneficiaries/import/template.xlsx", oracle.field_writer
    ),
    RolePageCheck("services:beneficiary-export", "/services/beneficiaries/export/", oracle.may_export_people),
    RolePageCheck("services:record-create", "/services/records/new/", oracle.is_agency),
    RolePageCheck("services:case-create", "/services/cases/new/", oracle.is_agency),
]

_POST = "POST only, a declared action: tests/test_write_matrix.py (every role) and tests/services/"
EXEMPT = {
    "api:beneficiary-unmask": "POST only, the declared unmask action: tests/services/test_beneficiaries.py",
    **{
        f"api:{name}": _POST
        for name in (
            "stationservicelist-submit",
            "stationservicelist-confirm",
            "stationservicelist-return",
            "escalation-resolve",
            "case-advance",
            "referral-accept",
            "referral-decline",
            "servicerecord-photos",
        )
    },
    "services:photo-upload": "POST only, the declared services.photo_add: tests/services/test_photos.py and the "
    "write matrix",
}


def _photo(record: ServiceRecord) -> None:
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    photo = ServicePhoto(
        record=record,
        content_type="image/png",
        extension=".png",
        size=len(out.getvalue()),
        width=8,
        height=8,
        sha256="0" * 64,
        uploaded_by=record.recorded_by,
    )
    photo.file.save("photo", ContentFile(out.getvalue()), save=True)


def seed() -> None:
    """Photos in Datian: of an adult's visit, of a child's visit and of group work (each seen differently)."""
    from tests.services.write_cases import person

    worker = User.objects.get(username="agency_sunshine")
    today = timezone.localdate()
    for birth in (dt.date(1950, 1, 1), today.replace(year=today.year - 6)):
        who = person()
        who.birth_date = birth
        who.save(update_fields=["birth_date"])
        record = ServiceRecord.objects.create(
            station=who.station, kind="visit", date=today, hours=Decimal("1"), title="隔离探访", recorded_by=worker
        )
        Visit.objects.create(
            beneficiary=who,
            station=who.station,
            date=today,
            week="2000-W02",
            checks={},
            record=record,
            recorded_by=worker,
        )
        _photo(record)
    group = ServiceRecord.objects.create(
        station=who.station, kind="group", date=today, hours=Decimal("2"), title="隔离小组", recorded_by=worker
    )
    _photo(group)


def outside() -> None:
    """Rows at the 白沙 station (Hainan), outside every Fujian account: every detail check meets a 404."""
    station = Station.objects.get(name="白沙黎族自治县社会工作服务总站")
    baisha = Division.objects.get(code="469025")
    agency = Organisation.objects.get(name="白沙社会工作服务中心")
    worker = User.objects.create(username="baisha_worker", organisation=agency)
    today = timezone.localdate()
    person = Beneficiary.objects.create(
        station=station,
        division=baisha,
        name="县外服务对象",
        birth_date=dt.date(1950, 1, 1),
        categories=["tekun_scattered"],
    )
    StationServiceList.objects.create(station=station, year=today.year, catalogue=ServiceCatalogue.objects.first())
    record = ServiceRecord.objects.create(
        station=station, kind="visit", date=today, hours=Decimal("1"), title="县外探访", recorded_by=worker
    )
    visit = Visit.objects.create(
        beneficiary=person,
        station=station,
        date=today,
        week="2000-W01",
        checks={"diet": "fail"},
        record=record,
        recorded_by=worker,
    )
    Escalation.objects.create(visit=visit, beneficiary=person, station=station, check_code="diet", required="送医")
    case = Case.objects.create(
        beneficiary=person, station=station, title="县外个案", intake_date=today, intake_note="县外", recorded_by=worker
    )
    Referral.objects.create(case=case, from_station=station, to_station=station, to_agency=agency, reason="县外")
    _photo(record)
    VolunteerTeam.objects.create(station=station, name="县外服务队", founded_on=today, members=5)
    IncubatedOrganisation.objects.create(station=station, name="县外社会组织", registered_on=today)
