"""Write-matrix cases of the services actions (collected by tests/test_write_matrix.py; see tests/checks.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from core.personal.access import export_clear, unmask
from services import actions as sa
from services.models import (
    Beneficiary,
    Case,
    Escalation,
    Referral,
    ServiceRecord,
    StationServiceList,
    Visit,
)
from stations.models import Division, Station
from tests.checks import Case as MatrixCase

DATIAN = "350425"
OTHER_COUNTY = "350424"
_years = itertools.count(2100 - 1)
_seq = itertools.count(1)
REASON = {"reason": "verify", "reason_text": "核对身份信息"}
OK = {"hygiene": "ok", "diet": "ok", "housing": "ok", "illness": "ok"}


def _post(path: str, data: dict[str, Any] | None = None) -> Any:
    return lambda client, obj: client.post(
        f"/api/v1/{path.format(pk=obj.pk)}", data or {}, content_type="application/json"
    )


def _png() -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 10)).save(out, format="PNG")
    return SimpleUploadedFile("m.png", out.getvalue(), content_type="image/png")


def record(outside: bool = False) -> ServiceRecord:
    """A group-work record at the sunshine station (or at a station of another county)."""
    station = outside_station() if outside else sunshine_station()
    return ServiceRecord.objects.create(
        station=station,
        kind="group",
        date=timezone.localdate(),
        hours=Decimal("1.5"),
        title="矩阵小组",
        recorded_by=User.objects.get(username="agency_sunshine"),
    )


def sunshine_station() -> Station:
    """A township station the sunshine agency runs (its contract in force), in Junxi."""
    junxi = User.objects.get(username="junxi_town").organisation
    assert junxi is not None
    return Station.objects.get(division_id=junxi.division_id, level=Station.Level.TOWNSHIP)


def harmony_station() -> Station:
    from contracts.models import Contract

    harmony = Organisation.objects.get(name="大田县和谐社会工作服务中心")
    today = timezone.localdate()
    contract = Contract.objects.filter(
        agency=harmony, status="active", start_date__lte=today, end_date__gte=today, division__level=4
    ).first()
    assert contract is not None
    return contract.stations.filter(level=Station.Level.TOWNSHIP).first()  # type: ignore[return-value]


def outside_station() -> Station:
    division = Division.objects.get(code=OTHER_COUNTY)
    station, _ = Station.objects.get_or_create(
        name="矩阵测试清流站", defaults={"division": division, "level": Station.Level.COUNTY_HQ, "status": "operating"}
    )
    return station


def _village(station: Station) -> Division:
    return (
        Division.objects.filter(code__startswith=station.division_id, level=5).order_by("code").first()
        or station.division
    )


def person(station: Station | None = None, categories: list[str] | None = None) -> Beneficiary:
    station = station or sunshine_station()
    return Beneficiary.objects.create(
        station=station,
        division=_village(station),
        name=f"矩阵{next(_seq)}",
        birth_date=dt.date(1950, 1, 1),
        categories=categories or ["tekun_scattered"],
    )


def _author(station: Station) -> User:
    return User.objects.get(username="agency_sunshine")


def service_list(station: Station | None = None, status: str = "draft") -> StationServiceList:
    station = station or sunshine_station()
    items, _ = sa.allowed_items(station)
    first = items.order_by("pk").first()
    assert first is not None
    obj = StationServiceList.objects.create(
        station=station, year=next(_years), catalogue=first.domain.catalogue, status=status
    )
    obj.items.set([first])
    return obj


def escalation(station: Station | None = None, status: str = "open") -> Escalation:
    station = station or sunshine_station()
    who = person(station)
    record = ServiceRecord.objects.create(
        station=station,
        kind="visit",
        date=timezone.localdate(),
        hours=Decimal("1"),
        title="矩阵",
        recorded_by=_author(station),
    )
    visit = Visit.objects.create(
        beneficiary=who,
        station=station,
        date=timezone.localdate(),
        week="2000-W01",
        checks={**OK, "diet": "fail"},
        record=record,
        recorded_by=_author(station),
    )
    return Escalation.objects.create(
        visit=visit, beneficiary=who, station=station, check_code="diet", required="送医", status=status
    )


def case(station: Station | None = None, stage: str = "intake") -> Case:
    station = station or sunshine_station()
    return Case.objects.create(
        beneficiary=person(station),
        station=station,
        title="矩阵个案",
        stage=stage,
        intake_date=timezone.localdate() - dt.timedelta(days=5),
        intake_note="接案",
        recorded_by=_author(station),
    )


def referral(outside: bool = False, status: str = "pending") -> Referral:
    if outside:
        station = outside_station()
        agency, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.AGENCY, name="矩阵测试清流机构", defaults={"division_id": OTHER_COUNTY}
        )
        return Referral.objects.create(
            case=case(station), from_station=station, to_station=station, to_agency=agency, reason="矩阵", status=status
        )
    target = harmony_station()
    harmony = Organisation.objects.get(name="大田县和谐社会工作服务中心")
    c = case()
    return Referral.objects.create(
        case=c, from_station=c.station, to_station=target, to_agency=harmony, reason="矩阵", status=status
    )


def _list_create(user: Any, station: Station) -> Any:
    items, _ = sa.allowed_items(station)
    chosen = list(items.order_by("pk")[:2])
    return sa.service_list_create(
        acting_user=user, station=station, year=next(_years), catalogue=chosen[0].domain.catalogue, items=chosen
    )


def _list_update(user: Any, obj: StationServiceList) -> Any:
    items, _ = sa.allowed_items(obj.station)
    chosen = list(items.filter(domain__catalogue=obj.catalogue).order_by("pk")[:3])
    return sa.service_list_update(acting_user=user, service_list=obj, items=chosen)


def _beneficiary_create(user: Any, station: Station) -> Any:
    return sa.beneficiary_create(
        acting_user=user,
        station=station,
        division=_village(station),
        data={"name": "矩阵新人", "categories": ["dibao"], "birth_date": dt.date(1960, 5, 1)},
    )


def listed_item(station: Station | None = None) -> Any:
    """An item professional work at the station may name (its confirmed list, else the policy's catalogue)."""
    items, _ = sa.applicable_items(station or sunshine_station(), timezone.localdate())
    return items.order_by("pk").first()


def _record_create(user: Any, station: Station) -> Any:
    return sa.record_create(
        acting_user=user,
        station=station,
        data={
            "kind": "group",
            "date": timezone.localdate(),
            "hours": Decimal("2"),
            "title": "矩阵小组",
            "item": listed_item(station),
        },
    )


def _record_http(client: Client, station: Station) -> Any:
    payload = {
        "station": station.pk,
        "kind": "community",
        "date": str(timezone.localdate()),
        "hours": "1.50",
        "title": "矩阵活动",
        "item": listed_item(station).pk,
    }
    return client.post("/api/v1/service-records/", payload, content_type="application/json")


def _visit_http(client: Client, who: Beneficiary) -> Any:
    payload = {"beneficiary": str(who.public_id), "date": str(timezone.localdate()), "checks": OK}
    return client.post("/api/v1/visits/", payload, content_type="application/json")


def cases() -> dict[str, MatrixCase]:
    today = timezone.localdate()
    return {
        "services.list_create": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=sunshine_station,
            out_of_scope=outside_station,
            call=_list_create,
        ),
        "services.list_update": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=service_list,
            out_of_scope=lambda: service_list(outside_station()),
            call=_list_update,
            wrong_state=lambda: service_list(status="submitted"),
        ),
        "services.list_submit": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=service_list,
            out_of_scope=lambda: service_list(outside_station()),
            call=lambda user, obj: sa.service_list_submit(acting_user=user, service_list=obj),
            http=_post("station-service-lists/{pk}/submit/"),
            wrong_state=lambda: service_list(status="confirmed"),
        ),
        "services.list_confirm": MatrixCase(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: service_list(status="submitted"),
            out_of_scope=lambda: service_list(outside_station(), status="submitted"),
            call=lambda user, obj: sa.service_list_confirm(acting_user=user, service_list=obj),
            http=_post("station-service-lists/{pk}/confirm/"),
            wrong_state=service_list,
        ),
        "services.list_return": MatrixCase(
            right_user="junxi_town",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: service_list(status="submitted"),
            out_of_scope=lambda: service_list(outside_station(), status="submitted"),
            call=lambda user, obj: sa.service_list_return(
                acting_user=user, service_list=obj, comments="请补充儿童项目"
            ),
            http=_post("station-service-lists/{pk}/return/", {"comments": "请补充"}),
            wrong_state=service_list,
        ),
        "services.beneficiary_create": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="evaluator",
            in_scope=sunshine_station,
            out_of_scope=outside_station,
            call=_beneficiary_create,
        ),
        "services.beneficiary_update": MatrixCase(
            right_user="junxi_town",
            wrong_role_user="evaluator",
            in_scope=person,
            out_of_scope=lambda: person(outside_station()),
            call=lambda user, who: sa.beneficiary_update(
                acting_user=user, beneficiary=who, data={"risk_level": "high"}
            ),
            http=lambda client, who: client.patch(
                f"/api/v1/beneficiaries/{who.public_id}/", {"risk_level": "high"}, content_type="application/json"
            ),
        ),
        "services.beneficiary.unmask": MatrixCase(
            right_user="datian_bureau",
            wrong_role_user="fj_province",
            in_scope=person,
            out_of_scope=lambda: person(outside_station()),
            call=lambda user, who: unmask(acting_user=user, obj=who, **REASON),
            http=lambda client, who: client.post(
                f"/api/v1/beneficiaries/{who.public_id}/unmask/", REASON, content_type="application/json"
            ),
        ),
        "services.beneficiary.export": MatrixCase(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: [person()],
            out_of_scope=lambda: [person(outside_station())],
            call=lambda user, people: export_clear(acting_user=user, objects=people, model=Beneficiary, **REASON),
            # The page: the people of the target's station (a station out of reach: 404, nothing audited).
            http=lambda client, people: client.post(
                f"/services/beneficiaries/export/?station={people[0].station_id}", REASON
            ),
            http_ok=(200,),
        ),
        "services.record_create": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=sunshine_station,
            out_of_scope=outside_station,
            call=_record_create,
            http=_record_http,
            http_ok=(201,),
        ),
        "services.visit_create": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=person,
            out_of_scope=lambda: person(outside_station()),
            call=lambda user, who: sa.visit_create(acting_user=user, beneficiary=who, date=today, checks=OK),
            http=_visit_http,
            http_ok=(201,),
        ),
        "services.escalation_resolve": MatrixCase(
            right_user="junxi_town",
            wrong_role_user="evaluator",
            in_scope=escalation,
            out_of_scope=lambda: escalation(outside_station()),
            call=lambda user, e: sa.escalation_resolve(acting_user=user, escalation=e, outcome="treatment"),
            http=_post("escalations/{pk}/resolve/", {"outcome": "cleaning"}),
            wrong_state=lambda: escalation(status="resolved"),
        ),
        "services.case_open": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=person,
            out_of_scope=lambda: person(outside_station()),
            call=lambda user, who: sa.case_open(
                acting_user=user, beneficiary=who, title="矩阵接案", intake_date=today, intake_note="接案情况"
            ),
        ),
        "services.case_advance": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=case,
            out_of_scope=lambda: case(outside_station()),
            call=lambda user, c: sa.case_advance(acting_user=user, case=c, date=today, text="预估情况"),
            http=_post("cases/{pk}/advance/", {"date": str(today), "text": "预估"}),
            wrong_state=lambda: case(stage="closed"),
        ),
        "services.referral_create": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=case,
            out_of_scope=lambda: case(outside_station()),
            call=lambda user, c: sa.referral_create(
                acting_user=user, case=c, to_station=harmony_station(), reason="迁居"
            ),
        ),
        "services.referral_accept": MatrixCase(
            right_user="agency_harmony",
            wrong_role_user="junxi_town",
            in_scope=referral,
            out_of_scope=lambda: referral(outside=True),
            call=lambda user, r: sa.referral_accept(acting_user=user, referral=r),
            http=_post("referrals/{pk}/accept/"),
            wrong_state=lambda: referral(status="accepted"),
        ),
        "services.photo_add": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: record(),
            out_of_scope=lambda: record(outside=True),
            call=lambda user, r: sa.photo_add(acting_user=user, record=r, upload=_png()),
            http=lambda client, r: client.post(f"/api/v1/service-records/{r.pk}/photos/", {"photo": _png()}),
            http_ok=(201,),
        ),
        "services.team_create": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=sunshine_station,
            out_of_scope=outside_station,
            call=lambda user, station: sa.team_create(
                acting_user=user, station=station, name="矩阵服务队", founded_on=today, members=12
            ),
            http=lambda client, station: client.post(
                "/services/volunteers/",
                {"do": "team", "station": station.pk, "name": "页面服务队", "founded_on": str(today), "members": "8"},
            ),
        ),
        "services.organisation_register": MatrixCase(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=sunshine_station,
            out_of_scope=outside_station,
            call=lambda user, station: sa.organisation_register(
                acting_user=user, station=station, name="矩阵社会组织", registered_on=today
            ),
        ),
        "services.referral_decline": MatrixCase(
            right_user="agency_harmony",
            wrong_role_user="datian_bureau",
            in_scope=referral,
            out_of_scope=lambda: referral(outside=True),
            call=lambda user, r: sa.referral_decline(acting_user=user, referral=r, response="名额已满"),
            http=_post("referrals/{pk}/decline/", {"response": "名额已满"}),
            wrong_state=lambda: referral(status="declined"),
        ),
    }
