"""Write-matrix cases of the staffing actions (collected by tests/test_write_matrix.py)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import Organisation
from core.personal.access import export_clear, unmask
from core.scoping import Action
from staffing import actions
from staffing.demo import id_number
from staffing.models import SocialWorker
from staffing.roster import COLUMNS
from stations.models import Station
from tests.checks import Case

REASON = {"reason": "verify", "reason_text": "核对身份信息"}
_seq = itertools.count(1)


def _agency(name: str) -> Organisation:
    return Organisation.objects.get(name__contains=name, kind="agency")


def fresh_worker(agency_name: str = "阳光") -> SocialWorker:
    """A new, unplaced worker of a demo agency (each call another person)."""
    agency = _agency(agency_name)
    n = next(_seq)
    return SocialWorker.objects.create(
        agency=agency,
        division_id=agency.division_id,
        name=f"矩阵社工{n}",
        id_number=id_number("350425", dt.date(1992, 1, 1) + dt.timedelta(days=n), 700 + n % 300),
        education="bachelor",
        hired_on=dt.date(2026, 1, 5),
    )


def placed_worker(agency_name: str = "阳光") -> SocialWorker:
    worker = fresh_worker(agency_name)
    agency_user = worker.agency.users.first()
    station = Station.objects.for_user(agency_user, Action.VIEW).filter(level="township").order_by("pk").first()
    assert station is not None
    actions.worker_assign.__wrapped__(  # type: ignore[attr-defined]
        acting_user=agency_user, worker=worker, station=station, role="part_time", start_date=dt.date(2026, 2, 1)
    )
    return worker


def _station_for(user: Any) -> Station:
    station = Station.objects.for_user(user, Action.VIEW).filter(level="township").order_by("pk").first()
    return station or Station.objects.filter(level="township").order_by("pk").first()  # type: ignore[return-value]


def _assign(user: Any, worker: SocialWorker) -> Any:
    return actions.worker_assign(
        acting_user=user, worker=worker, station=_station_for(user), role="part_time", start_date=dt.date(2026, 2, 1)
    )


def _roster(_: Any = None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([c for c, _ in COLUMNS])
    n = next(_seq)
    sheet.append(["导入社工", id_number("350425", dt.date(1993, 1, 1) + dt.timedelta(days=n), 400 + n % 300),
                  "", "本科", "", "否", "", "2026-01-05", "", "", ""])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


def cases() -> dict[str, Case]:
    return {
        "staffing.worker.create": Case(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: next(_seq),
            out_of_scope=None,
            call=lambda user, n: actions.worker_create(
                acting_user=user,
                data={
                    "name": "矩阵新社工",
                    "id_number": id_number("350425", dt.date(1991, 1, 1) + dt.timedelta(days=n), 300 + n % 300),
                    "education": "junior_college",
                    "hired_on": dt.date(2026, 1, 5),
                },
            ),
        ),
        "staffing.worker.update": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=lambda user, w: actions.worker_update(acting_user=user, worker=w, data={"major": "社会工作"}),
            http=lambda client, w: client.patch(
                f"/api/v1/social-workers/{w.public_id}/", {"major": "社会学"}, content_type="application/json"
            ),
            http_ok=(200,),
        ),
        "staffing.worker.add_certificate": Case(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=lambda user, w: actions.certificate_add(
                acting_user=user, worker=w, level="assistant", number=f"M-{w.pk}", obtained_on=dt.date(2025, 6, 1)
            ),
        ),
        "staffing.worker.assign": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=_assign,
            wrong_state=lambda: placed_worker("阳光"),
        ),
        "staffing.worker.release": Case(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: placed_worker("阳光"),
            out_of_scope=lambda: placed_worker("和谐"),
            call=lambda user, w: actions.worker_release(
                acting_user=user, worker=w, end_date=dt.date(2026, 3, 1), reason="resigned"
            ),
            http=lambda client, w: client.post(
                f"/api/v1/social-workers/{w.public_id}/release/",
                {"end_date": "2026-03-01", "reason": "transferred"},
                content_type="application/json",
            ),
            http_ok=(200,),
            wrong_state=lambda: fresh_worker("阳光"),
        ),
        "staffing.roster.import": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=_roster,
            out_of_scope=None,
            call=lambda user, upload: actions.roster_import(acting_user=user, upload=upload),
        ),
        "staffing.socialworker.unmask": Case(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=lambda user, w: unmask(acting_user=user, obj=w, **REASON),
            http=lambda client, w: client.post(
                f"/api/v1/social-workers/{w.public_id}/unmask/", REASON, content_type="application/json"
            ),
            http_ok=(200,),
        ),
        "staffing.worker.add_labour_contract": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=lambda user, w: actions.labour_contract_add(
                acting_user=user,
                worker=w,
                start_date=dt.date(2026, 1, 5),
                end_date=dt.date(2029, 1, 4),
                probation_months=3,
            ),
        ),
        "staffing.worker.add_pay": Case(
            right_user="agency_sunshine",
            wrong_role_user="junxi_town",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=lambda user, w: actions.pay_add(
                acting_user=user, worker=w, month=dt.date(2026, 2, 1), gross_pay="4500.00", insurance_paid=True
            ),
            http=lambda client, w: client.post(
                f"/api/v1/social-workers/{w.public_id}/pay/",
                {"month": "2026-03-15", "gross_pay": "4600.00", "insurance_paid": True},
                content_type="application/json",
            ),
            http_ok=(200,),
        ),
        "staffing.worker.add_training": Case(
            right_user="agency_sunshine",
            wrong_role_user="evaluator",
            in_scope=lambda: fresh_worker("阳光"),
            out_of_scope=lambda: fresh_worker("和谐"),
            call=lambda user, w: actions.training_add(
                acting_user=user,
                worker=w,
                date=dt.date(2026, 3, 1),
                kind="training",
                level="county",
                hours="6",
                topic="个案",
            ),
        ),
        "staffing.wage.set": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: next(_seq),
            out_of_scope=None,
            call=lambda user, n: actions.average_wage_set(acting_user=user, year=2000 + n % 90, amount="80000.00"),
            http=lambda client, n: client.post("/staffing/wages/", {"year": 2000 + n % 90, "amount": "81000.00"}),
            http_ok=(302,),
        ),
        "staffing.recruitment_plan.create": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: ("350425", next(_seq)),
            out_of_scope=lambda: ("469025", next(_seq)),  # a county the agency neither sits in nor serves
            call=lambda user, t: actions.recruitment_plan_create(acting_user=user, data=_plan_data(t[1], t[0])),
        ),
        "staffing.recruitment_plan.update": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: plan("阳光"),
            out_of_scope=lambda: plan("和谐"),
            call=lambda user, p: actions.recruitment_plan_update(acting_user=user, plan=p, data={"part_time": 2}),
            http=lambda client, p: client.post(
                f"/staffing/recruitment/{p.pk}/edit/",
                {**_plan_data(p.year, "350425"), "year": p.year, "division": "350425", "interview_on": ""},
            ),
            http_ok=(302,),
            wrong_state=lambda: plan("阳光", filed=True),
        ),
        "staffing.recruitment_plan.file": Case(
            right_user="agency_sunshine",
            wrong_role_user="datian_bureau",
            in_scope=lambda: plan("阳光"),
            out_of_scope=lambda: plan("和谐"),
            call=lambda user, p: actions.recruitment_plan_file(acting_user=user, plan=p),
            http=lambda client, p: client.post(f"/staffing/recruitment/{p.pk}/file/"),
            http_ok=(302,),
            wrong_state=lambda: plan("阳光", filed=True),
        ),
        "staffing.recruitment_plan.acknowledge": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: plan("阳光", filed=True),
            out_of_scope=_outside_plan,
            call=lambda user, p: actions.recruitment_plan_acknowledge(acting_user=user, plan=p, note="同意备案"),
            http=lambda client, p: client.post(f"/staffing/recruitment/{p.pk}/acknowledge/", {"note": "同意"}),
            http_ok=(302,),
            wrong_state=lambda: _acknowledged(plan("阳光", filed=True)),
        ),
        "staffing.socialworker.export": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: [fresh_worker("阳光")],
            out_of_scope=lambda: [_outside_worker()],
            call=lambda user, ws: export_clear(acting_user=user, objects=ws, model=SocialWorker, **REASON),
        ),
    }


def _outside_worker() -> SocialWorker:
    """A worker of an agency in 白沙 (outside Datian's bureau)."""
    from stations.models import Division

    baisha = Division.objects.get(code="469025")
    agency = Organisation.objects.filter(kind="agency", division=baisha).first() or Organisation.objects.create(
        kind="agency", name="白沙矩阵社工中心", division=baisha
    )
    n = next(_seq)
    return SocialWorker.objects.create(
        agency=agency,
        division=baisha,
        name="县外社工",
        id_number=id_number("469025", dt.date(1990, 1, 1) + dt.timedelta(days=n), 600 + n % 300),
        education="bachelor",
        hired_on=dt.date(2026, 1, 5),
    )


def _plan_data(n: int, county: str) -> dict[str, Any]:
    year = 2030 + n % 60
    return {
        "division_id": county,
        "year": year,
        "heads": 1,
        "full_time": 2,
        "part_time": 0,
        "announce_on": dt.date(year, 1, 5),
        "start_on": dt.date(year, 2, 1),
        "conditions": "大专及以上学历",
    }


def plan(agency_name: str, *, filed: bool = False) -> Any:
    """A plan of a demo agency for Datian (a draft, or filed with the county bureau)."""
    from staffing.models import RecruitmentPlan

    data = _plan_data(next(_seq), "350425")
    state = RecruitmentPlan.State.FILED if filed else RecruitmentPlan.State.DRAFT
    return RecruitmentPlan.objects.create(
        agency=_agency(agency_name),
        division_id=data.pop("division_id"),
        state=state,
        filed_on=dt.date(2026, 1, 3) if filed else None,
        **data,
    )


def _acknowledged(p: Any) -> Any:
    p.state = p.State.ACKNOWLEDGED
    p.save(update_fields=["state"])
    return p


def _outside_plan() -> Any:
    """A filed plan of a Baisha agency (outside Datian's bureau)."""
    from staffing.models import RecruitmentPlan

    worker = _outside_worker()
    data = _plan_data(next(_seq), "469025")
    data.pop("division_id")
    return RecruitmentPlan.objects.create(
        agency=worker.agency, division_id="469025", state=RecruitmentPlan.State.FILED, **data
    )
