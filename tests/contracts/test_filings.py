"""The city bureau sees its counties' filings and marks them received; the province too; nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import Organisation, User
from contracts.models import Contract
from core.models import AuditLog
from tests.contracts.write_cases import BAISHA, filed_contract

pytestmark = pytest.mark.django_db
SANMING = "3504"


def _city_client() -> tuple[User, Client]:
    bureau = Organisation.objects.get_or_create(
        kind=Organisation.Kind.BUREAU, division_id=SANMING, defaults={"name": "三明市民政局"}
    )[0]
    user = User.objects.create_user(username="sm_city_test", organisation=bureau, full_name="市局经办人")
    client = Client()
    client.force_login(user)
    return user, client


def test_the_city_sees_its_counties_filings_and_marks_one_received(user_client) -> None:  # type: ignore[no-untyped-def]
    ours, awaiting, foreign = filed_contract(), filed_contract(status="signed", filed=False), filed_contract(BAISHA)
    user, city = _city_client()
    page = city.get("/contracts/filings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="/contracts/{ours.pk}/"' in body and f'href="/contracts/{awaiting.pk}/"' in body
    assert f'href="/contracts/{foreign.pk}/"' not in body
    assert "确认收到" in body and "尚未报备" in body
    pending = city.get("/contracts/filings/?show=unreceived").content.decode()
    assert f'href="/contracts/{ours.pk}/"' in pending and f'href="/contracts/{awaiting.pk}/"' not in pending
    api = city.get(f"/api/v1/contracts/{ours.pk}/").json()
    assert "contracts.receive_filing" in {a["action"] for a in api["allowed_actions"]}

    response = city.post(f"/contracts/{ours.pk}/receive-filing/", {"next": "/contracts/filings/?show=unreceived"})
    assert response.status_code == 302 and response["Location"] == "/contracts/filings/?show=unreceived"
    ours.refresh_from_db()
    assert ours.filing_received_date is not None and ours.filing_received_by == user
    assert AuditLog.objects.filter(object_id=str(ours.pk), event="receive_filing").count() == 1
    # Once received, no longer offered, and a second receipt is refused in Chinese.
    api = city.get(f"/api/v1/contracts/{ours.pk}/").json()
    assert "contracts.receive_filing" not in {a["action"] for a in api["allowed_actions"]}
    again = city.post(f"/api/v1/contracts/{ours.pk}/receive-filing/", {}, content_type="application/json")
    assert again.status_code in (400, 403) and "报备" in again.content.decode()
    # A filing outside the city answers 404.
    assert city.post(f"/contracts/{foreign.pk}/receive-filing/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.filing_received_date is None


def test_an_unfiled_agreement_cannot_be_received_and_counties_have_no_filings_page(user_client) -> None:  # type: ignore[no-untyped-def]
    awaiting = filed_contract(status="signed", filed=False)
    province = user_client("fj_province")
    refused = province.post(f"/api/v1/contracts/{awaiting.pk}/receive-filing/", {}, content_type="application/json")
    assert refused.status_code in (400, 403, 404)
    awaiting.refresh_from_db()
    assert awaiting.filing_received_date is None
    early = filed_contract()
    late = province.post(
        f"/api/v1/contracts/{early.pk}/receive-filing/",
        {"received_date": (early.filed_date - dt.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert late.status_code == 400 and "不能早于报备日期" in late.content.decode()
    for username in ("datian_bureau", "junxi_town", "agency_sunshine"):
        assert user_client(username).get("/contracts/filings/").status_code == 404
    assert Contract.objects.filter(filing_received_date__isnull=False).count() == 0
