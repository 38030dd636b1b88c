"""Places and people for the four-party care agreements: 如皋市 (under 南通) with the Nantong preset adopted, and
care agreements at Datian places for the isolation suite (the demo has no Nantong place)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any

from accounts.models import Organisation, User
from contracts.models import CareAgreement
from services.models import Beneficiary
from staffing.demo import id_number
from staffing.models import SocialWorker
from stations.models import Division, Station

NANTONG_COUNTY = "320682"
NANTONG_TOWN = "320682100"
JUNXI = "350425100"
_seq = itertools.count(1)


def _year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _user(username: str, org: Organisation) -> User:
    user = User.objects.filter(username=username).first()
    return user or User.objects.create_user(username, password="Xx-12345678", organisation=org)


def _worker(agency: Organisation, station: Station, name: str, region: str) -> SocialWorker:
    worker = SocialWorker.objects.filter(agency=agency, station=station).order_by("pk").first()
    if worker is None:
        n = next(_seq)
        worker = SocialWorker.objects.create(
            agency=agency,
            division_id=station.division_id,
            station=station,
            name=name,
            id_number=id_number(region, dt.date(1994, 3, 1) + dt.timedelta(days=n % 3000), 400 + n % 500),
            education="bachelor",
            hired_on=dt.date(2022, 9, 1),
        )
    return worker


def person(station: Station, village: Division, name: str = "周大伯", birth: dt.date | None = None) -> Beneficiary:
    return Beneficiary.objects.create(
        station=station,
        division=village,
        name=f"{name}{next(_seq)}",
        birth_date=birth or dt.date(1948, 5, 1),
        categories=["tekun_scattered"],
    )


def nantong() -> SimpleNamespace:
    """如皋市如城街道: the township, two villages, its station (registered as a 民非 that employs the worker), a
    worker, a cared-for person, a bureau and a township account; the Nantong preset adopted by 如皋市."""
    from policies.models import Policy
    from tests.staffing.support import nantong_policy, township

    town = township(NANTONG_TOWN, "如城街道", villages=2)
    if not Policy.objects.filter(division_id=NANTONG_COUNTY).exists():
        nantong_policy()
    bureau = Organisation.objects.get_or_create(
        kind=Organisation.Kind.BUREAU, division_id=NANTONG_COUNTY, defaults={"name": "如皋市民政局"}
    )[0]
    town_org = Organisation.objects.get_or_create(
        kind=Organisation.Kind.TOWNSHIP, division_id=NANTONG_TOWN, defaults={"name": "如城街道办事处"}
    )[0]
    station = Station.objects.get_or_create(
        division=town,
        level=Station.Level.TOWNSHIP,
        defaults={"name": "如皋市如城街道社会工作服务站", "status": Station.Status.OPERATING},
    )[0]
    employer = Organisation.objects.get_or_create(
        kind=Organisation.Kind.AGENCY, name="如皋市如城街道社会工作服务站", defaults={"division_id": NANTONG_TOWN}
    )[0]
    village = Division.objects.filter(code__startswith=NANTONG_TOWN, level=Division.Level.VILLAGE).order_by("code")[0]
    return SimpleNamespace(
        town=town,
        village=village,
        bureau=bureau,
        town_org=town_org,
        station=station,
        worker=_worker(employer, station, "陈晓燕", NANTONG_COUNTY),
        person=person(station, village),
        bureau_user=_user("rugao_bureau", bureau),
        town_user=_user("rucheng_town", town_org),
    )


def care_agreement(place: SimpleNamespace | None = None, status: str = "draft", **extra: Any) -> CareAgreement:
    """A care agreement at ``place`` (default: Nantong), saved directly (the actions are tested on their own)."""
    place = place or nantong()
    fields: dict[str, Any] = {
        "number": f"CARE-{next(_seq)}",
        "township": place.town_org,
        "village": place.village,
        "station": place.station,
        "worker": place.worker,
        "beneficiary": extra.pop("beneficiary", None) or person(place.station, place.village),
        # This calendar year, so signing or ending "today" always falls inside the term (never the wall clock's year).
        "start_date": dt.date(_year(), 1, 1),
        "end_date": dt.date(_year(), 12, 31),
        "station_legal_person": True,
        "station_credit_code": "",
        "station_head_name": "王建国",
        "station_head_civil_affairs": True,
        "status": status,
        "signed_date": dt.date(_year(), 1, 1) if status != "draft" else None,
        **extra,
    }
    return CareAgreement.objects.create(**fields)


def datian() -> SimpleNamespace:
    """均溪镇 in the demo: its township, first village, township station and a worker of the station's agency."""
    town_org = Organisation.objects.get(kind=Organisation.Kind.TOWNSHIP, division_id=JUNXI)
    station = Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)
    village = Division.objects.filter(code__startswith=JUNXI, level=Division.Level.VILLAGE).order_by("code")[0]
    agency = Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光")
    return SimpleNamespace(
        town_org=town_org,
        station=station,
        village=village,
        worker=_worker(agency, station, "林小梅", "350425"),
    )
