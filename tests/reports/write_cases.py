"""Write-matrix cases for the reports' declared actions (tests/test_write_matrix.py runs them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from evaluation.reports import actions as ra
from evaluation.reports.models import MonthlyBrief
from tests.checks import Case

from . import factories as f

S = MonthlyBrief.State


def _api(path: str, data: dict[str, Any] | None = None, method: str = "post") -> Any:
    def run(client: Client, target: Any) -> Any:
        url = f"/api/v1/reports/{path.format(pk=target.pk)}"
        return getattr(client, method)(url, data or {}, content_type="application/json")

    return run


def cases() -> dict[str, Case]:
    # No database access here (collection time): the demo's first township (均溪镇) is served by 阳光社工中心.
    shipai = lambda: f.contract_in(f.town_division("shipai_town"))  # noqa: E731
    agency = "agency_sunshine"
    other_agency_contract = f.baisha_contract
    expires = lambda: timezone.now() + dt.timedelta(days=3)  # noqa: E731
    return {
        "reports.brief_edit": Case(
            right_user=agency,
            wrong_role_user="junxi_town",
            in_scope=lambda: f.brief(S.DRAFT),
            out_of_scope=lambda: f.brief(S.DRAFT, contract=other_agency_contract()),
            call=lambda user, b: ra.brief_edit(acting_user=user, brief=b, data={"narrative": "改写后的概述"}),
            http=_api("briefs/{pk}/", {"narrative": "改写"}, "patch"),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.SUBMITTED),
        ),
        "reports.brief_submit": Case(
            right_user=agency,
            wrong_role_user="junxi_town",
            in_scope=lambda: f.brief(S.DRAFT),
            out_of_scope=lambda: f.brief(S.DRAFT, contract=other_agency_contract()),
            call=lambda user, b: ra.brief_submit(acting_user=user, brief=b),
            http=_api("briefs/{pk}/submit/"),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.REVIEWED),
        ),
        "reports.brief_review": Case(
            right_user="junxi_town",
            wrong_role_user=agency,
            in_scope=lambda: f.brief(S.SUBMITTED),
            out_of_scope=lambda: f.brief(S.SUBMITTED, contract=shipai()),
            call=lambda user, b: ra.brief_review(acting_user=user, brief=b),
            http=_api("briefs/{pk}/review/"),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.DRAFT),
        ),
        "reports.brief_return_township": Case(
            right_user="junxi_town",
            wrong_role_user="datian_bureau",
            in_scope=lambda: f.brief(S.SUBMITTED),
            out_of_scope=lambda: f.brief(S.SUBMITTED, contract=shipai()),
            call=lambda user, b: ra.brief_return_township(acting_user=user, brief=b, comment="请补充。"),
            http=_api("briefs/{pk}/return-township/", {"comment": "请补充。"}),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.REVIEWED),
        ),
        "reports.brief_return_bureau": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: f.brief(S.REVIEWED),
            out_of_scope=lambda: f.brief(S.REVIEWED, contract=f.baisha_contract()),
            call=lambda user, b: ra.brief_return_bureau(acting_user=user, brief=b, comment="数据说明不足。"),
            http=_api("briefs/{pk}/return-bureau/", {"comment": "数据说明不足。"}),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.SUBMITTED),
        ),
        "reports.brief_accept": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: f.brief(S.REVIEWED),
            out_of_scope=lambda: f.brief(S.REVIEWED, contract=f.baisha_contract()),
            call=lambda user, b: ra.brief_accept(acting_user=user, brief=b),
            http=_api("briefs/{pk}/accept/"),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.SUBMITTED),
        ),
        "reports.brief_unlock": Case(
            right_user="datian_bureau",
            wrong_role_user=agency,
            in_scope=lambda: f.brief(S.ACCEPTED),
            out_of_scope=lambda: f.brief(S.ACCEPTED, contract=f.baisha_contract()),
            call=lambda user, b: ra.brief_unlock(acting_user=user, brief=b, reason="更正数据", expires_at=expires()),
            http=lambda client, b: client.post(
                f"/api/v1/reports/briefs/{b.pk}/unlock/",
                {"reason": "更正数据", "expires_at": expires().isoformat()},
                content_type="application/json",
            ),
            http_ok=(200,),
            wrong_state=lambda: f.brief(S.REVIEWED),
        ),
        "reports.report_submit": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: f.periodic(f.datian_bureau_org(), "350425"),
            out_of_scope=lambda: f.periodic(f.baisha_contract().buyer, f.BAISHA),
            call=lambda user, r: ra.report_submit(acting_user=user, report=r, content="本年度绩效自评。"),
            http=_api("periodic/{pk}/submit/", {"content": "本年度绩效自评。"}),
            http_ok=(200,),
            wrong_state=lambda: f.periodic(f.datian_bureau_org(), "350425", state="submitted"),
        ),
    }
