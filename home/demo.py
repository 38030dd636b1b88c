"""Demo data for the real 大田县 (Datian, 350425): one account per role, stations, contracts.

Idempotent: a second run changes nothing. Names of places come from the shipped NBS 2023 subset
(stations/data/divisions); agencies and the evaluator are fictional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Organisation, User
from accounts.validators import credit_code_check_char
from contracts.models import Bidder, Contract, Procurement
from policies.actions import adopt_own_documents, load_presets
from services.actions import load_catalogues
from stations.actions import evaluator_group, standard_name
from stations.models import Division, Station

DEMO_PASSWORD = "Zhanwu@2026"  # noqa: S105 - published demo password, see README
SHIPPED_DIVISIONS = Path(__file__).resolve().parent.parent / "stations" / "data" / "divisions"
COUNTY = "350425"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    organisation: str
    role: str


def credit_code(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


def _org(kind: str, name: str, division: str, **extra: object) -> Organisation:
    org, _ = Organisation.objects.get_or_create(kind=kind, name=name, defaults={"division_id": division, **extra})
    return org


def _user(
    username: str,
    org: Organisation | None,
    full_name: str,
    position: str,
    superuser: bool = False,
    village: Division | None = None,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            organisation=org,
            village=village,
            full_name=full_name,
            position=position,
            is_superuser=superuser,
            is_staff=superuser,
            password_changed_at=timezone.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_demo(divisions_dir: Path = SHIPPED_DIVISIONS) -> list[DemoAccount]:
    from stations.importer import import_divisions

    import_divisions(divisions_dir, prefix=None, progress=False)
    load_catalogues()
    load_presets()
    adopt_own_documents()  # each document in force where it was issued (not Nantong's: see the preset)

    townships = list(Division.objects.filter(code__startswith=COUNTY, level=Division.Level.TOWNSHIP).order_by("code"))
    province = _org(Organisation.Kind.BUREAU, "福建省民政厅", "35")
    city = _org(Organisation.Kind.BUREAU, "三明市民政局", "3504")
    county = _org(Organisation.Kind.BUREAU, "大田县民政局", COUNTY)
    town_orgs = {t.code: _org(Organisation.Kind.TOWNSHIP, f"{t.name}人民政府", t.code) for t in townships}
    sunshine = _org(
        Organisation.Kind.AGENCY,
        "大田县阳光社会工作服务中心",
        COUNTY,
        credit_code=credit_code("52350425MJD00001" + "7"),
        rating="4A",
        is_local=True,
    )
    harmony = _org(
        Organisation.Kind.AGENCY,
        "大田县和谐社会工作服务中心",
        COUNTY,
        credit_code=credit_code("52350425MJD00002" + "5"),
        rating="3A",
        is_local=True,
    )
    evaluator = _org(
        Organisation.Kind.EVALUATOR,
        "三明明德社会评估中心",
        "3504",
        credit_code=credit_code("52350400MJD00003" + "3"),
        is_local=True,
    )

    # Stations: county headquarters, a regional centre, one per township, village points in some villages.
    county_div = Division.objects.get(code=COUNTY)
    hq = _station(county_div, Station.Level.COUNTY_HQ, area="320.00", status=Station.Status.OPERATING, stars=4)
    regional = _station(townships[0], Station.Level.REGIONAL, area="260.00", status=Station.Status.OPERATING, stars=3)
    regional.covered_townships.set(townships[:4])
    # Most township stations operate; the last two are still being set up, one without its floor area yet,
    # so the county bureau's home page has real work to show.
    stations = {
        t.code: _station(
            t,
            Station.Level.TOWNSHIP,
            area=None if i == len(townships) - 1 else "150.00",
            status=(
                Station.Status.PLANNED
                if i == len(townships) - 1
                else Station.Status.PREPARING
                if i == len(townships) - 2
                else Station.Status.OPERATING
            ),
            stars=None if i >= len(townships) - 2 else (3 if i % 3 else 4),
        )
        for i, t in enumerate(townships)
    }
    villages: dict[str, list[Station]] = {}
    for t in townships[:6]:
        for v in Division.objects.filter(code__startswith=t.code, level=Division.Level.VILLAGE).order_by("code")[:2]:
            villages.setdefault(t.code, []).append(
                _station(v, Station.Level.VILLAGE, area="40.00", status=Station.Status.OPERATING, stars=None)
            )

    # Contracts for this service year: the two agencies split the townships.
    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    half = (len(townships) + 1) // 2
    procurements = _demo_procurements(county, county_div, sunshine, harmony, today)
    for i, t in enumerate(townships):
        agency = sunshine if i < half else harmony
        contract, _ = Contract.objects.get_or_create(
            buyer=county,
            number=f"DT-{today.year}-{t.code[-3:]}",
            defaults={
                "division": t,
                "township": town_orgs[t.code],
                "agency": agency,
                "procurement": procurements[agency.pk],
                "procurement_method": Contract.Method.OPEN_TENDER,
                "amount_per_year": "300000.00",
                "signed_date": start,
                "filed_date": start + dt.timedelta(days=10),
                "filed_with": "三明市民政局",
                "start_date": start,
                "end_date": end,
                "status": Contract.Status.ACTIVE,
            },
        )
        contract.stations.add(stations[t.code], *villages.get(t.code, []))
    hq_contract, _ = Contract.objects.get_or_create(
        buyer=county,
        number=f"DT-{today.year}-HQ",
        defaults={
            "division": county_div,
            "agency": sunshine,
            "procurement_method": Contract.Method.OPEN_TENDER,
            "signed_date": start,
            "start_date": start,
            "end_date": end,
            "status": Contract.Status.ACTIVE,
        },
    )
    hq_contract.stations.add(hq, regional)
    # Last year's contract of the other agency for the first township: over, so it grants nothing now.
    old, _ = Contract.objects.get_or_create(
        buyer=county,
        number=f"DT-{today.year - 1}-{townships[0].code[-3:]}",
        defaults={
            "division": townships[0],
            "township": town_orgs[townships[0].code],
            "agency": harmony,
            "procurement_method": Contract.Method.CONSULTATION,
            "signed_date": dt.date(today.year - 1, 1, 1),
            "start_date": dt.date(today.year - 1, 1, 1),
            "end_date": dt.date(today.year - 1, 12, 31),
            "status": Contract.Status.EXPIRED,
        },
    )
    old.stations.add(stations[townships[0].code])
    # Next year's agreements in the making: one signed (its filing deadline counts), one still a draft.
    for n, (t, status) in enumerate([(townships[0], Contract.Status.SIGNED), (townships[1], Contract.Status.DRAFT)]):
        upcoming, _ = Contract.objects.get_or_create(
            buyer=county,
            number=f"DT-{today.year + 1}-{t.code[-3:]}",
            defaults={
                "division": t,
                "township": town_orgs[t.code],
                "agency": sunshine,
                "procurement": procurements[sunshine.pk],
                "procurement_method": Contract.Method.OPEN_TENDER,
                "amount_per_year": "300000.00",
                "signed_date": today - dt.timedelta(days=3) if n == 0 else None,
                "start_date": dt.date(today.year + 1, 1, 1),
                "end_date": dt.date(today.year + 1, 12, 31),
                "status": status,
            },
        )
        upcoming.stations.add(stations[t.code])

    _user("admin", None, "系统管理员", User.Position.OFFICER, superuser=True)
    _user("fj_province", province, "省厅工作人员", User.Position.OFFICER)
    _user("sanming_city", city, "市民政局工作人员", User.Position.OFFICER)  # reads its counties' filings
    _user("datian_bureau", county, "县民政局工作人员", User.Position.MANAGER)  # manages the bureau's accounts
    # The township's manager position: manages its own accounts and assigns village workers (/users/).
    _user("junxi_town", town_orgs[townships[0].code], "均溪镇社会事务办", User.Position.MANAGER)
    _user("shipai_town", town_orgs[townships[1].code], "石牌镇社会事务办", User.Position.OFFICER)
    # 均溪镇's village civil-affairs worker of its first village, where the services demo's visit finds a problem.
    first_village = Division.objects.filter(code__startswith=townships[0].code, level=Division.Level.VILLAGE).first()
    if first_village is not None:
        _user(
            "junxi_village",
            town_orgs[townships[0].code],
            f"{first_village.name}民政专干",
            User.Position.OFFICER,
            village=first_village,
        )
    _user("agency_sunshine", sunshine, "阳光社工中心负责人", User.Position.MANAGER)
    _user("agency_harmony", harmony, "和谐社工中心负责人", User.Position.MANAGER)
    _user("evaluator", evaluator, "评估专员", User.Position.EVALUATOR)
    # Grants go to the evaluator organisation's group (stations.actions), like the bureau's grants page does.
    for t in townships[:3]:
        assign_perm("stations.view_station", evaluator_group(evaluator), stations[t.code])
    from staffing.demo import load as load_staffing

    load_staffing(
        stations=stations,
        townships=townships,
        agencies={"sunshine": sunshine, "harmony": harmony},
        evaluator_group=evaluator_group(evaluator),
    )
    from services.demo import load as load_services_demo

    load_services_demo()  # beneficiaries, a station service list, records and visits (services/demo.py)
    from contracts import demo as contracts_demo

    contracts_demo.load(county.division_id)
    from funding import demo as funding_demo

    funding_demo.load(county.division_id)  # budgets, spending with receipts, tranches (funding/demo.py)
    from evaluation import demo as evaluation_demo

    evaluation_demo.load(
        bureau_user=User.objects.get(username="datian_bureau"),
        evaluator=evaluator,
        township_user=User.objects.get(username="junxi_town"),
        evaluator_user=User.objects.get(username="evaluator"),
    )
    from evaluation.reports import demo as reports_demo

    reports_demo.load()
    from dashboards import demo as dashboards_demo

    dashboards_demo.load(county.division_id)  # this month's, quarter's and year's figures; a service account
    return demo_accounts()


def _demo_procurements(
    county: Organisation, county_div: Division, sunshine: Organisation, harmony: Organisation, today: dt.date
) -> dict[int, Procurement]:
    """This year's two awarded procurements (one lot per agency) and next year's still open; keyed by winner."""
    out: dict[int, Procurement] = {}
    for lot, (winner, other) in enumerate([(sunshine, harmony), (harmony, sunshine)], start=1):
        procurement, created = Procurement.objects.get_or_create(
            buyer=county,
            number=f"DT-{today.year - 1}-CG0{lot}",
            defaults={
                "title": f"大田县乡镇社会工作服务站项目（第{lot}包）",
                "division": county_div,
                "method": "open_tender",
                "rationale": "预算金额达到公开招标数额标准",
                "budget": "3600000.00",
                "announced_date": dt.date(today.year - 1, 11, 1),
                "bid_deadline": dt.date(today.year - 1, 11, 25),
            },
        )
        if created:
            bids = {
                org.pk: Bidder.objects.create(
                    procurement=procurement,
                    agency=org,
                    price="3480000.00" if org == winner else "3550000.00",
                    registered_social_work=True,
                    finance_qualified=True,
                    no_violation=True,
                )
                for org in (winner, other)
            }
            procurement.winner = bids[winner.pk]
            procurement.award_date = dt.date(today.year - 1, 12, 5)
            procurement.status = Procurement.Status.AWARDED
            procurement.save()
        out[winner.pk] = procurement
    nxt, created = Procurement.objects.get_or_create(
        buyer=county,
        number=f"DT-{today.year}-CG01",
        defaults={
            "title": "大田县社会工作服务站项目（新周期）",
            "division": county_div,
            "method": "competitive_consultation",
            "rationale": "政府购买服务项目，适用竞争性磋商",
            "budget": "3900000.00",
            "announced_date": today - dt.timedelta(days=20),
            "bid_deadline": today - dt.timedelta(days=5),
        },
    )
    if created:
        Bidder.objects.create(
            procurement=nxt,
            agency=harmony,
            price="3850000.00",
            registered_social_work=True,
            finance_qualified=True,
            no_violation=True,
        )
    return out


def _station(division: Division, level: str, *, area: str | None, status: str, stars: int | None) -> Station:
    station = Station.objects.filter(division=division, level=level).first()
    if station is None:
        station = Station(
            division=division,
            level=level,
            name=standard_name(division, level),
            address=f"{division.full_name()}",
            floor_area=area,
            status=status,
            star_rating=stars,
            rooms=["社工办公室", "个案工作室", "社工服务中心", "志愿服务中心"],
            plaque_date=dt.date(2021, 9, 1) if status == Station.Status.OPERATING else None,
        )
        station.full_clean()
        station.save()
    return station


def demo_accounts() -> list[DemoAccount]:
    out = []
    for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related("organisation"):
        out.append(
            DemoAccount(
                user.username, user.full_name, user.organisation.name if user.organisation else "—", user.role_label
            )
        )
    out.sort(key=lambda a: DEMO_USERNAMES.index(a.username))
    return out


DEMO_USERNAMES = [
    "admin",
    "fj_province",
    "sanming_city",
    "datian_bureau",
    "junxi_town",
    "shipai_town",
    "junxi_village",
    "agency_sunshine",
    "agency_harmony",
    "evaluator",
]
