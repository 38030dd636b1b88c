"""The agreement and procurement pages: what each role sees and may do; deadlines on the agreement's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contracts.models import Contract, Procurement

pytestmark = pytest.mark.django_db


def _signed() -> Contract:
    return Contract.objects.get(status=Contract.Status.SIGNED, number__startswith="DT-")


def test_the_signed_agreement_shows_its_deadlines_and_the_bureaus_next_steps(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _signed()
    body = user_client("datian_bureau").get(f"/contracts/{contract.pk}/").content.decode()
    assert "协议报备" in body and "驻站社工到岗" in body
    assert "田政办" in body or "依据" in body
    assert f'action="/contracts/{contract.pk}/file/"' in body
    assert f'action="/contracts/{contract.pk}/terminate/"' in body
    assert f'action="/contracts/{contract.pk}/sign/"' not in body
    assert "<script>" not in body and " onclick=" not in body


def test_the_agency_sees_its_agreement_without_action_forms(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _signed()
    body = user_client("agency_sunshine").get(f"/contracts/{contract.pk}/").content.decode()
    assert contract.number in body and f'action="/contracts/{contract.pk}/' not in body


def test_transition_page_by_role(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _signed()
    url = f"/contracts/{contract.pk}/file/"
    data = {"filed_date": timezone.localdate().isoformat(), "filed_with": "三明市民政局"}
    for username in ("junxi_town", "agency_sunshine", "agency_harmony", "evaluator", "fj_province"):
        assert user_client(username).post(url, data).status_code == 404, username
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    # A bad date comes back as a Chinese message, nothing saved.
    bureau = user_client("datian_bureau")
    response = bureau.post(url, {"filed_date": "不是日期", "filed_with": "三明市民政局"}, follow=True)
    assert "请填写正确的日期" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    # Filing before signing is refused by the action.
    early = (contract.signed_date or timezone.localdate()) - dt.timedelta(days=1)
    response = bureau.post(url, {"filed_date": early.isoformat(), "filed_with": "三明市民政局"}, follow=True)
    assert "不能早于签订日期" in response.content.decode()
    response = bureau.post(url, data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.FILED and contract.filed_with == "三明市民政局"
    # An unknown transition name is 404; GET is not allowed.
    assert bureau.post(f"/contracts/{contract.pk}/delete/").status_code == 404
    assert bureau.get(url).status_code == 405


def test_procurement_page_shows_the_method_and_an_agency_only_its_bid(user_client) -> None:  # type: ignore[no-untyped-def]
    procurement = Procurement.objects.filter(status=Procurement.Status.AWARDED).order_by("pk").first()
    assert procurement is not None
    body = user_client("datian_bureau").get(f"/procurements/{procurement.pk}/").content.decode()
    assert "公开招标" in body and "第二十六条" in body
    assert body.count("报价") == 2
    winner = procurement.winner.agency  # type: ignore[union-attr]
    agency_user = "agency_sunshine" if "阳光" in winner.name else "agency_harmony"
    body = user_client(agency_user).get(f"/procurements/{procurement.pk}/").content.decode()
    assert body.count("报价") == 1
