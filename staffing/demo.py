"""Demo resident social workers for the Datian demo agencies' township stations (called from home.demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from guardian.shortcuts import assign_perm

from core.personal.idnumber import check_character
from stations.models import Station

from .models import (
    Assignment,
    AverageWage,
    Certificate,
    Education,
    LabourContract,
    PayRecord,
    RecruitmentPlan,
    Replacement,
    SocialWorker,
    StaffRole,
    TrainingRecord,
)

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
    today = timezone.localdate()
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
    spare = {}
    for agency in (sunshine, harmony):
        spare[agency.pk] = _worker(agency, n, hired=start, education=Education.JUNIOR_COLLEGE, certified=False)
        n += 1
    _replacement(stations[plans[-1][0].code], spare[harmony.pk], start)
    _duties(today)
    _recruitment(today, sunshine, harmony, [stations[town.code] for town, _ in plans])
    from core.system import system_actor

    from .obligations import refresh_checks

    refresh_checks(system_actor(), today)


def _replacement(station: Station, newcomer: SocialWorker, start: dt.date) -> None:
    """One full-timer of the station resigned after two months; the agency's spare worker took over."""
    if Replacement.objects.filter(station=station).exists():
        return
    outgoing = Assignment.objects.filter(station=station, role=StaffRole.FULL_TIME, end_date__isnull=True).first()
    if outgoing is None:
        return
    day = start + dt.timedelta(days=60)
    outgoing.end_date, outgoing.end_reason = day, Replacement.Reason.RESIGNED.label
    outgoing.save(update_fields=["end_date", "end_reason"])
    leaver = outgoing.worker
    leaver.station, leaver.division_id = None, leaver.agency.division_id
    leaver.status, leaver.left_on = SocialWorker.Status.LEFT, day
    leaver.save(update_fields=["station", "division", "status", "left_on", "updated_at"])
    incoming = Assignment.objects.create(
        worker=newcomer, station=station, agency_id=newcomer.agency_id, role=StaffRole.FULL_TIME, start_date=day
    )
    newcomer.station, newcomer.division_id = station, station.division_id
    newcomer.save(update_fields=["station", "division", "updated_at"])
    Replacement.objects.create(
        station=station,
        agency_id=newcomer.agency_id,
        outgoing=outgoing,
        incoming=incoming,
        date=day,
        reason=Replacement.Reason.RESIGNED,
        note="本人因家庭原因辞职，按招聘程序由储备社工接替",
    )


def _duties(today: dt.date) -> None:
    """Last year's county average wage, last month's pay and insurance, one training day for every demo worker."""
    AverageWage.objects.get_or_create(
        division_id="350425", year=today.year - 1, defaults={"amount": "78500.00", "source": "大田县统计公报（演示）"}
    )
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for w in SocialWorker.objects.filter(status=SocialWorker.Status.EMPLOYED, division__code__startswith="350425"):
        PayRecord.objects.get_or_create(
            worker=w, month=month, defaults={"gross_pay": "4800.00", "insurance_paid": True}
        )
        if not TrainingRecord.objects.filter(worker=w).exists():
            TrainingRecord.objects.create(
                worker=w, date=month, kind="training", level="county", hours="6", topic="社会救助政策与个案工作"
            )


def _recruitment(today: dt.date, sunshine: Any, harmony: Any, stations: list[Station]) -> None:
    """The first agency's plan for the year, filed and acknowledged by the county bureau; the second agency's
    next-year plan still a draft [000 §6(3)]."""
    if RecruitmentPlan.objects.filter(division_id="350425").exists():
        return
    year = today.year
    filed = RecruitmentPlan.objects.create(
        agency=sunshine,
        division_id="350425",
        year=year,
        heads=3,
        full_time=6,
        part_time=0,
        announce_on=dt.date(year, 1, 5),
        interview_on=dt.date(year, 1, 20),
        start_on=dt.date(year, 2, 1),
        conditions="大专及以上学历，35周岁以下；报名、笔试、面试、体检、公示后聘用，持证者优先。",
        state=RecruitmentPlan.State.ACKNOWLEDGED,
        filed_on=dt.date(year, 1, 3),
        acknowledged_on=dt.date(year, 1, 4),
        acknowledge_note="同意备案，请按方案公开招聘。",
    )
    filed.stations.set(stations[:3])
    draft = RecruitmentPlan.objects.create(
        agency=harmony,
        division_id="350425",
        year=year + 1,
        heads=0,
        full_time=2,
        part_time=1,
        announce_on=dt.date(year + 1, 1, 5),
        start_on=dt.date(year + 1, 2, 1),
        conditions="补充专职社工2名、兼职社工1名。",
    )
    draft.stations.set(stations[3:])
