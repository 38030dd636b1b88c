"""Demo resident social workers for the Datian demo agencies' township stations (called from home.demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guardian.shortcuts import assign_perm

from core.personal.idnumber import check_character
from stations.models import Station

from .models import Assignment, Certificate, Education, LabourContract, SocialWorker, StaffRole

SURNAMES = "林陈黄张李王吴刘蔡杨郑许"
GIVEN = ["晓燕", "志强", "丽华", "建国", "雪梅", "俊杰", "海燕", "文斌", "秀英", "家豪", "佳慧", "明辉"]


def id_number(region: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def _worker(agency: Any, n: int, *, hired: dt.date, education: str, certified: bool) -> SocialWorker:
    birth = dt.date(1986 + n % 12, 1 + n % 12, 1 + (n * 7) % 27)
    number = id_number("350425", birth, 100 + n)
    existing = SocialWorker.objects.filter(SocialWorker.lookup_q("id_number", number)).first()
    if existing is not None:
        return existing
    worker = SocialWorker(
        agency=agency,
        division_id=agency.division_id,
        name=f"{SURNAMES[n % len(SURNAMES)]}{GIVEN[n % len(GIVEN)]}",
        id_number=number,
        phone=f"1390598{n:04d}",
        education=education,
        major="社会工作" if certified else "行政管理",
        social_work_major=certified,
        household_division_id="350425100" if n % 3 else None,
        hired_on=hired,
    )
    worker.full_clean()
    worker.save()
    # Every demo worker has signed a labour contract (the Datian plan requires one [000 §6(1)]).
    LabourContract.objects.create(
        worker=worker, start_date=hired, end_date=dt.date(hired.year + 3, 12, 31), probation_months=2
    )
    if certified:
        Certificate.objects.create(
            worker=worker, level="assistant", number=f"ZG{hired.year}{n:04d}", obtained_on=hired - dt.timedelta(days=90)
        )
    return worker


def _assign(worker: SocialWorker, station: Station, role: str, start: dt.date) -> None:
    if Assignment.objects.filter(worker=worker).exists():
        return
    contract = station.contracts.filter(agency_id=worker.agency_id, status="active").order_by("-start_date").first()
    Assignment.objects.create(
        worker=worker, station=station, agency_id=worker.agency_id, contract=contract, role=role, start_date=start
    )
    worker.station, worker.division_id = station, station.division_id
    worker.save(update_fields=["station", "division", "updated_at"])


def load(*, stations: dict[str, Station], townships: list[Any], agencies: dict[str, Any], evaluator_group: Any) -> None:
    """Three township teams of the first agency, two of the second, one unplaced worker each; the evaluator is
    granted the workers of the first township's station (the station it evaluates)."""
    today = dt.date.today()  # noqa: DTZ011 - demo dates only
    start = dt.date(today.year, 1, 1)
    sunshine, harmony = agencies["sunshine"], agencies["harmony"]
    half = (len(townships) + 1) // 2
    n = 0
    plans = [(townships[i], sunshine) for i in range(3)] + [(townships[half + i], harmony) for i in range(2)]
    for k, (town, agency) in enumerate(plans):
        station = stations[town.code]
        size = 3 if k != 2 else 2  # one station a worker short
        for j in range(size):
            role = StaffRole.HEAD if j == 0 else StaffRole.FULL_TIME
            edu = Education.BACHELOR if j % 2 == 0 else Education.JUNIOR_COLLEGE
            worker = _worker(agency, n, hired=start - dt.timedelta(days=30), education=edu, certified=j < 2)
            _assign(worker, station, role, start)
            if k == 0:
                assign_perm("staffing.view_socialworker", evaluator_group, worker)
            n += 1
    for agency in (sunshine, harmony):
        _worker(agency, n, hired=start, education=Education.JUNIOR_COLLEGE, certified=False)
        n += 1
