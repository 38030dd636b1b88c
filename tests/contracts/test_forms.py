"""A bureau officer never needs the API: procurement, bidders and award, and amendments through page forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.models import Organisation
from contracts.models import Amendment, Bidder, Procurement
from tests.contracts.write_cases import filed_contract

pytestmark = pytest.mark.django_db
DATIAN = "350425"


def test_procurement_bidders_and_award_through_the_pages(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    today = timezone.localdate()
    form = bureau.get("/procurements/new/")
    assert form.status_code == 200 and "新建政府采购项目" in form.content.decode()
    # A refusal comes back on the form in Chinese, nothing saved.
    bad = {
        "number": "DT-PAGE-1",
        "title": "大田县社工站项目",
        "division": DATIAN,
        "method": "competitive_consultation",
        "budget": "500000.00",
        "announced_date": today.isoformat(),
        "bid_deadline": (today - dt.timedelta(days=3)).isoformat(),
    }
    body = bureau.post("/procurements/new/", bad).content.decode()
    assert "响应截止日期不能早于公告日期" in body and not Procurement.objects.filter(number="DT-PAGE-1").exists()
    good = {
        **bad,
        "announced_date": (today - dt.timedelta(days=30)).isoformat(),
        "bid_deadline": (today - dt.timedelta(days=5)).isoformat(),
    }
    response = bureau.post("/procurements/new/", good)
    procurement = Procurement.objects.get(number="DT-PAGE-1")
    assert response.status_code == 302 and response["Location"] == f"/procurements/{procurement.pk}/"
    page = bureau.get(f"/procurements/{procurement.pk}/").content.decode()
    assert f'action="/procurements/{procurement.pk}/bidders/"' in page
    sunshine = Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光")
    bureau.post(
        f"/procurements/{procurement.pk}/bidders/",
        {
            "agency": sunshine.pk,
            "price": "480000.00",
            "registered_social_work": "on",
            "finance_qualified": "on",
            "no_violation": "on",
        },
    )
    bidder = Bidder.objects.get(procurement=procurement)
    page = bureau.get(f"/procurements/{procurement.pk}/").content.decode()
    assert "成交前的资格核对" in page and f'action="/procurements/{procurement.pk}/award/"' in page
    bureau.post(f"/procurements/{procurement.pk}/award/", {"bidder": bidder.pk, "award_date": today.isoformat()})
    procurement.refresh_from_db()
    assert procurement.status == Procurement.Status.AWARDED and procurement.winner_id == bidder.pk
    assert procurement.award_findings


def test_other_roles_get_no_procurement_form(user_client) -> None:  # type: ignore[no-untyped-def]
    for username in ("fj_province", "junxi_town", "agency_sunshine", "evaluator"):
        assert user_client(username).get("/procurements/new/").status_code == 404
    assert "新建采购项目" not in user_client("junxi_town").get("/procurements/").content.decode()


def test_an_amendment_through_the_page(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = filed_contract(status="active")
    bureau = user_client("datian_bureau")
    detail = bureau.get(f"/contracts/{contract.pk}/").content.decode()
    assert f"/contracts/{contract.pk}/amendments/new/" in detail
    form = bureau.get(f"/contracts/{contract.pk}/amendments/new/").content.decode()
    removable = re.search(r'name="stations_removed"[^>]*>\s*<option value="(\d+)"', form)
    assert removable is not None
    today = timezone.localdate()
    empty = bureau.post(
        f"/contracts/{contract.pk}/amendments/new/",
        {"signed_date": today.isoformat(), "effective_date": today.isoformat(), "reason": "无变更"},
    ).content.decode()
    assert "补充协议未变更任何内容" in empty and not Amendment.objects.filter(contract=contract).exists()
    response = bureau.post(
        f"/contracts/{contract.pk}/amendments/new/",
        {
            "signed_date": today.isoformat(),
            "effective_date": today.isoformat(),
            "reason": "年度资金调整",
            "amount_per_year": "280000.00",
        },
    )
    assert response.status_code == 302
    assert Amendment.objects.get(contract=contract).amount_per_year == 280000
    assert user_client("agency_sunshine").get(f"/contracts/{contract.pk}/amendments/new/").status_code == 404
