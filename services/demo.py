"""Demo data of the services work in the Datian demo (called once from home.demo.load_demo).

A handful of beneficiaries in the first townships (one child, seen only by the roles that serve children), a
station service list submitted to the bureau and the township, service records of each kind, and visits (one
with a failed check, so an escalation is open). Every write goes through the declared actions, as the agency
running the station; idempotent (nothing is added when the demo beneficiaries exist).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.personal.idnumber import check_character
from stations.models import Division, Station

from . import actions
from .models import Beneficiary, Escalation, ServiceRecord

COUNTY = "350425"
DEMO_MARK = "演示"
GIVEN = "一二三四五六七八"


def _id_number(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def _years_ago(today: dt.date, years: int, days: int) -> dt.date:
    return dt.date(today.year - years, 3, 1) - dt.timedelta(days=days)


def load(agency_username: str = "agency_sunshine") -> None:
    if Beneficiary.objects.filter(household__startswith=DEMO_MARK).exists():
        return
    agency = User.objects.get(username=agency_username)
    town_user = User.objects.get(username="junxi_town")
    today = timezone.localdate()
    townships = list(Division.objects.filter(code__startswith=COUNTY, level=Division.Level.TOWNSHIP).order_by("code"))
    people: list[Beneficiary] = []
    seq = 500
    for t_index, township in enumerate(townships[:2]):
        station = Station.objects.get(division=township, level=Station.Level.TOWNSHIP)
        villages = list(Division.objects.filter(code__startswith=township.code, level=Division.Level.VILLAGE)[:2])
        for v_index, village in enumerate(villages):
            for n, (name, years, categories) in enumerate(
                [
                    ("林", 78, ["tekun_scattered", "elderly"]),
                    ("陈", 66, ["dibao", "disabled"]),
                ]
            ):
                seq += 1
                birth = _years_ago(today, years, seq)
                people.append(
                    actions.beneficiary_create(
                        acting_user=agency,
                        station=station,
                        division=village,
                        data={
                            "name": f"{name}{GIVEN[t_index * 4 + v_index * 2 + n]}{'伯' if n == 0 else '姨'}",
                            "id_number": _id_number(COUNTY, birth, seq),
                            "phone": f"1380598{seq:04d}",
                            "address": f"{village.name}{seq % 9 + 1}组{seq}号",
                            "categories": categories,
                            "household": f"{DEMO_MARK}{seq}",
                            "household_size": 1 + n,
                            "risk_level": "medium" if n == 0 else "low",
                            "self_care": "partial" if n == 0 else "full",
                            "consent": True,
                            "consent_by": "self",
                            "consent_date": today - dt.timedelta(days=60),
                        },
                    )
                )
        if t_index == 0 and villages:
            # A left-behind child: visible to the county bureau and the agency, not to the township (PIPL art. 28).
            seq += 1
            actions.beneficiary_create(
                acting_user=agency,
                station=station,
                division=villages[0],
                data={
                    "name": "小明",
                    "id_number": _id_number(COUNTY, _years_ago(today, 9, seq), seq),
                    "categories": ["children"],
                    "household": f"{DEMO_MARK}{seq}",
                    "risk_level": "high",
                    "consent": True,
                    "consent_by": "guardian",
                    "guardian_name": "王奶奶",
                    "consent_date": today - dt.timedelta(days=30),
                },
            )

    first_station = Station.objects.get(division=townships[0], level=Station.Level.TOWNSHIP)
    items, _ = actions.allowed_items(first_station)
    chosen = list(items.order_by("domain__catalogue_id", "domain__order", "order")[:8])
    if chosen:
        catalogue = chosen[0].domain.catalogue
        chosen = [i for i in chosen if i.domain.catalogue_id == catalogue.pk]
        service_list = actions.service_list_create(
            acting_user=agency, station=first_station, year=today.year, catalogue=catalogue, items=chosen
        )
        actions.service_list_submit(acting_user=agency, service_list=service_list)

    # A volunteer team and an incubated organisation this year (counted against the targets where they apply).
    actions.team_create(
        acting_user=agency,
        station=first_station,
        name="均溪镇邻里守望志愿服务队",
        founded_on=today.replace(day=1),
        members=18,
    )
    actions.organisation_register(
        acting_user=agency, station=first_station, name="均溪镇老年协会", registered_on=today.replace(day=1)
    )

    # Records of each kind this month and last month (the monthly summary and the professional share).
    kinds = [
        (ServiceRecord.Kind.GROUP, "老年人健康互助小组", Decimal("2.5"), 12),
        (ServiceRecord.Kind.COMMUNITY, "重阳节社区活动", Decimal("4"), 60),
        (ServiceRecord.Kind.CASE, "个案面谈", Decimal("1.5"), 1),
        (ServiceRecord.Kind.ADMIN, "协助整理低保材料", Decimal("3"), 0),
    ]
    for back in (0, 35):
        day = today - dt.timedelta(days=back)
        for kind, title, hours, participants in kinds:
            actions.record_create(
                acting_user=agency,
                station=first_station,
                data={
                    "kind": kind,
                    "date": day,
                    "hours": hours,
                    "title": title,
                    "participants": participants,
                    "item": chosen[0] if chosen and kind != ServiceRecord.Kind.ADMIN else None,
                    "admin_function": "",
                },
            )

    # Visits to the scattered 特困 persons: last week for all, this week for some; one failed diet check.
    scattered = [p for p in people if "tekun_scattered" in p.categories]
    monday = today - dt.timedelta(days=today.weekday())
    for index, person in enumerate(scattered):
        ok = {"hygiene": "ok", "diet": "ok", "housing": "ok", "illness": "ok"}
        actions.visit_create(
            acting_user=agency, beneficiary=person, date=monday - dt.timedelta(days=3), checks=ok, hours=Decimal("0.5")
        )
        if index == 0:
            # A failed diet check and what the township did about it, in one transaction: the escalation is
            # already resolved when the sweep runs on commit, so the demo leaves no open duty behind (the
            # obligations suite counts the demo's duties).
            with transaction.atomic():
                visit = actions.visit_create(
                    acting_user=agency,
                    beneficiary=person,
                    date=monday,
                    checks={**ok, "diet": "fail"},
                    notes="家中无存粮，老人称两天未正常进食。",
                )
                for escalation in Escalation.objects.filter(visit=visit):
                    actions.escalation_resolve(
                        acting_user=town_user,
                        escalation=escalation,
                        outcome="transfer",
                        note="已联系村民政协理员，送乡敬老院集中供养。",
                    )
    if people:
        case = actions.case_open(
            acting_user=agency,
            beneficiary=people[1],
            title="独居老人情绪支持",
            intake_date=today - dt.timedelta(days=20),
            intake_note="村委会转来，老人近期丧偶，情绪低落。",
        )
        actions.case_advance(
            acting_user=agency,
            case=case,
            date=today - dt.timedelta(days=15),
            text="情绪低落、社会支持薄弱，需要定期陪伴。",
        )
        # A referral to a station the other agency runs (it sees and answers it).
        other = (
            Station.objects.filter(division__pk__startswith=COUNTY, level=Station.Level.TOWNSHIP)
            .filter(status=Station.Status.OPERATING)
            .order_by("-division_id")
            .first()
        )
        if other is not None and actions.agency_of(other, today) is not None:
            actions.referral_create(
                acting_user=agency,
                case=case,
                to_station=other,
                reason="老人将随子女迁居该镇，需要当地社工站继续跟进。",
            )
