"""Isolation checks of the staffing pages and API (collected by tests/test_isolation.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from accounts.models import Organisation
from staffing.demo import id_number
from staffing.models import SocialWorker
from stations.models import Division, Station
from tests import oracle as central
from tests.checks import DetailCheck, ListCheck, RolePageCheck, api_ids, html_ids

from . import oracle

UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


def _str(f: Any) -> Any:
    return lambda u: {str(x) for x in f(u)}


def _adequacy_ids(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return {str(row["station"]) for row in response.json()["stations"]}


def _workers() -> list[SocialWorker]:
    return list(SocialWorker.objects.order_by("pk"))


def _int(f: Any) -> Any:
    return lambda u: {int(x) for x in f(u)}


def _plans() -> list[Any]:
    from staffing.models import RecruitmentPlan

    return list(RecruitmentPlan.objects.order_by("pk"))


def _stations() -> list[Station]:
    inside = list(Station.objects.filter(level="township").order_by("division_id")[:4])
    outside = list(Station.objects.exclude(division__code__startswith="350425").order_by("pk")[:2])
    return inside + outside


LISTS = [
    ListCheck("staffing:worker-list", "/staffing/", html_ids(rf'href="/staffing/workers/{UUID}/"'), oracle.worker_ids),
    ListCheck("staffing:wages", "/staffing/wages/", html_ids(r'id="wage-(\d+)"'), _str(oracle.wage_ids)),
    ListCheck("api:socialworker-list", "/api/v1/social-workers/", api_ids(), oracle.worker_ids),
    ListCheck(
        "staffing:recruitment-list",
        "/staffing/recruitment/",
        html_ids(r'href="/staffing/recruitment/(\d+)/"'),
        oracle.plan_ids,
    ),
    ListCheck("api:recruitmentplan-list", "/api/v1/recruitment-plans/", api_ids(), oracle.plan_ids),
    ListCheck(
        "staffing:adequacy",
        "/staffing/adequacy/",
        html_ids(r'href="/staffing/stations/(\d+)/team/"'),
        _str(oracle.township_station_ids),
    ),
    ListCheck(
        "api:staffing-adequacy",
        "/api/v1/staffing/adequacy/?division=35",
        _adequacy_ids,
        _str(lambda u: oracle.township_station_ids(u, "35")),
    ),
]

DETAILS = [
    DetailCheck(
        "staffing:worker-detail",
        lambda w: f"/staffing/workers/{w.public_id}/",
        _workers,
        oracle.worker_ids,
        key=lambda w: w.public_id,
    ),
    DetailCheck(
        "api:socialworker-detail",
        lambda w: f"/api/v1/social-workers/{w.public_id}/",
        _workers,
        oracle.worker_ids,
        key=lambda w: w.public_id,
    ),
    DetailCheck(
        "api:socialworker-employment",
        lambda w: f"/api/v1/social-workers/{w.public_id}/employment/",
        _workers,
        oracle.worker_ids,
        key=lambda w: w.public_id,
    ),
    DetailCheck(
        "staffing:worker-edit",
        lambda w: f"/staffing/workers/{w.public_id}/edit/",
        _workers,
        oracle.worker_change_ids,
        key=lambda w: w.public_id,
    ),
    DetailCheck(
        "staffing:worker-unmask",
        lambda w: f"/staffing/workers/{w.public_id}/unmask/",
        _workers,
        oracle.worker_unmask_ids,
        key=lambda w: w.public_id,
    ),
    DetailCheck(
        "staffing:recruitment-detail", lambda p: f"/staffing/recruitment/{p.pk}/", _plans, _int(oracle.plan_ids)
    ),
    DetailCheck(
        "api:recruitmentplan-detail",
        lambda p: f"/api/v1/recruitment-plans/{p.pk}/",
        _plans,
        _int(oracle.plan_ids),
    ),
    DetailCheck(
        "staffing:recruitment-edit",
        lambda p: f"/staffing/recruitment/{p.pk}/edit/",
        _plans,
        _int(oracle.plan_change_ids),
    ),
    DetailCheck(
        "staffing:station-team",
        lambda s: f"/staffing/stations/{s.pk}/team/",
        _stations,
        central.station_ids,
    ),
]

ROLE_PAGES = [
    RolePageCheck("staffing:worker-create", "/staffing/workers/new/", oracle.may_add),
    RolePageCheck("staffing:roster-import", "/staffing/workers/import/", oracle.may_add),
    RolePageCheck("staffing:roster-template", "/staffing/workers/import/template/", oracle.may_add),
    RolePageCheck("staffing:worker-export", "/staffing/workers/export/", oracle.may_export),
    RolePageCheck("staffing:recruitment-create", "/staffing/recruitment/new/", oracle.may_add),
]

EXEMPT = {
    "staffing:screening": "a form for every role; townships from Division.for_user (tests/staffing/test_pages.py)",
    "api:staffing-eligibility": "POST, facts only; the division through for_user (tests/staffing/test_api.py)",
    "api:staffing-requirement": "a township through for_user, 404 outside (tests/staffing/test_api.py)",
    "api:staffing-adequacy-check": "POST, facts only; the township through for_user (tests/staffing/test_api.py)",
    "api:socialworker-unmask": "POST only: write matrix staffing.socialworker.unmask",
    "api:socialworker-assign": "POST only: write matrix staffing.worker.assign",
    "api:socialworker-release": "POST only: write matrix staffing.worker.release",
    "api:socialworker-certificates": "POST only: write matrix staffing.worker.add_certificate",
    "api:socialworker-labour-contracts": "POST only: write matrix staffing.worker.add_labour_contract",
    "api:socialworker-pay": "POST only: write matrix staffing.worker.add_pay",
    "api:socialworker-training": "POST only: write matrix staffing.worker.add_training",
    "staffing:recruitment-file": "POST only: write matrix staffing.recruitment_plan.file",
    "staffing:recruitment-acknowledge": "POST only: write matrix staffing.recruitment_plan.acknowledge",
}


def seed() -> None:
    """Average wages of Datian and of Baisha (the latter seen by no Fujian account); a filed Datian plan naming only
    Shipai's station (seen by the Shipai township, not by Junxi's)."""
    from accounts.models import User
    from staffing.models import AverageWage, RecruitmentPlan

    AverageWage.objects.get_or_create(division_id="350425", year=2025, defaults={"amount": "82000.00"})
    AverageWage.objects.get_or_create(division_id="469025", year=2025, defaults={"amount": "76000.00"})
    shipai = User.objects.get(username="shipai_town").organisation
    assert shipai is not None
    station = Station.objects.filter(division__code__startswith=shipai.division_id, level="township").first()
    harmony = Organisation.objects.get(kind="agency", name__contains="和谐")
    if station is not None and not RecruitmentPlan.objects.filter(agency=harmony, year=2030).exists():
        plan = RecruitmentPlan.objects.create(
            agency=harmony,
            division_id="350425",
            year=2030,
            part_time=1,
            announce_on=dt.date(2030, 1, 5),
            start_on=dt.date(2030, 2, 1),
            state=RecruitmentPlan.State.FILED,
            filed_on=dt.date(2030, 1, 3),
        )
        plan.stations.set([station])


def outside() -> None:
    """A Baisha agency's worker at a Baisha township station: outside every Fujian account."""
    baisha = Division.objects.get(code="469025")
    town, _ = Division.objects.get_or_create(
        code="469025100", defaults={"name": "牙叉镇", "level": Division.Level.TOWNSHIP, "parent": baisha}
    )
    agency = Organisation.objects.filter(kind="agency", division=baisha).first() or Organisation.objects.create(
        kind="agency", name="白沙社会工作服务中心", division=baisha, credit_code="52469025MJD000019"
    )
    station = Station.objects.create(division=town, level="township", name="白沙黎族自治县牙叉镇社会工作服务站")
    SocialWorker.objects.create(
        agency=agency,
        division=station.division,
        station=station,
        name="符海燕",
        id_number=id_number("469025", dt.date(1990, 3, 3), 501),
        education="bachelor",
        hired_on=dt.date(2026, 1, 5),
    )
    from staffing.models import RecruitmentPlan

    RecruitmentPlan.objects.create(
        agency=agency,
        division=baisha,
        year=2026,
        full_time=3,
        announce_on=dt.date(2026, 1, 5),
        start_on=dt.date(2026, 2, 1),
        state=RecruitmentPlan.State.FILED,
        filed_on=dt.date(2026, 1, 3),
    ).stations.set([station])


PUBLIC_DETAILS: set[str] = set()
