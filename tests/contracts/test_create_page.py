"""The county bureau drafts an agreement on a page: dropdowns of its own scope, Chinese refusals, nothing saved
on a refusal; the draft goes through contracts.create (audited). Other roles get 404; the city bureau's demo
account reads its counties' filings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Organisation
from contracts.models import Contract, Procurement
from core.models import AuditLog
from stations.models import Station

pytestmark = pytest.mark.django_db
JUNXI = "350425100"
SHIPAI = "350425101"


def _good() -> dict[str, object]:
    year = timezone.localdate().year + 1
    township = Organisation.objects.get(kind=Organisation.Kind.TOWNSHIP, division_id=JUNXI)
    agency = Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光")
    station = Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)
    return {
        "number": "DT-PAGE-C1",
        "township": township.pk,
        "agency": agency.pk,
        "procurement": "",
        "stations": [station.pk],
        "cycle_start": dt.date(year, 1, 1).isoformat(),
        "cycle_end": dt.date(year + 2, 12, 31).isoformat(),
        "start_date": dt.date(year, 1, 1).isoformat(),
        "end_date": dt.date(year, 12, 31).isoformat(),
        "amount_per_year": "320000.50",
        "resident_workers": "2",
        "station_head_required": "on",
        "staffing_note": "站长由承接机构专职社工担任",
    }


def test_the_bureau_drafts_an_agreement_from_the_list(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    listing = bureau.get("/contracts/").content.decode()
    assert 'href="/contracts/new/"' in listing
    form = bureau.get("/contracts/new/").content.decode()
    # The buyer is fixed to the officer's bureau; the parties are dropdowns of names, not codes to type.
    assert "大田县民政局" in form and "均溪镇人民政府" in form and "大田县阳光社会工作服务中心" in form
    assert 'name="buyer"' not in form and "<select" in form
    response = bureau.post("/contracts/new/", _good())
    contract = Contract.objects.get(number="DT-PAGE-C1")
    assert response.status_code == 302 and response["Location"] == f"/contracts/{contract.pk}/"
    assert contract.status == Contract.Status.DRAFT
    assert contract.buyer.name == "大田县民政局" and contract.division_id == JUNXI
    assert contract.township is not None and contract.township.division_id == JUNXI
    assert str(contract.amount_per_year) == "320000.50"
    assert (contract.resident_workers, contract.station_head_required) == (2, True)
    assert contract.cycle_end == dt.date(contract.start_date.year + 2, 12, 31)
    assert list(contract.stations.values_list("division_id", flat=True)) == [JUNXI]
    assert AuditLog.objects.filter(event="create", object_id=str(contract.pk)).exists()
    page = bureau.get(f"/contracts/{contract.pk}/").content.decode()
    assert "每站驻站社工 2 人，须配备站长" in page and "项目周期" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_date": "2020-01-01"}, "服务结束日期不能早于开始日期"),
        ({"cycle_end": ""}, "请同时填写项目周期的开始和结束日期"),
        ({"cycle_start": "2090-01-01", "cycle_end": "2090-12-31"}, "本期服务期须在项目周期之内"),
        ({"agency": ""}, "请选择承接主体"),
        ({"amount_per_year": "三十万"}, "请填写数字"),
        ({"stations": ["999999"]}, "所选项不在可选范围内"),
    ],
)
def test_refusals_are_in_chinese_and_save_nothing(user_client, change, message) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    body = bureau.post("/contracts/new/", {**_good(), **change}).content.decode()
    assert message in body
    assert not Contract.objects.filter(number="DT-PAGE-C1").exists()


def test_a_station_outside_the_township_is_refused(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    shipai = Station.objects.get(division_id=SHIPAI, level=Station.Level.TOWNSHIP)
    body = bureau.post("/contracts/new/", {**_good(), "stations": [shipai.pk]}).content.decode()
    assert "不在均溪镇人民政府辖区内" in body and not Contract.objects.filter(number="DT-PAGE-C1").exists()


def test_a_station_of_another_county_is_not_offered(user_client) -> None:  # type: ignore[no-untyped-def]
    from tests.contracts.write_cases import filed_contract

    other = filed_contract("350424").stations.get()
    bureau = user_client("datian_bureau")
    assert f'value="{other.pk}"' not in bureau.get("/contracts/new/").content.decode()
    body = bureau.post("/contracts/new/", {**_good(), "township": "", "stations": [other.pk]}).content.decode()
    assert "所选项不在可选范围内" in body and not Contract.objects.filter(number="DT-PAGE-C1").exists()


def test_the_procurement_winner_must_be_the_agency(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    procurement = Procurement.objects.filter(status=Procurement.Status.AWARDED).select_related("winner").first()
    assert procurement is not None and procurement.winner is not None
    loser = Organisation.objects.filter(kind=Organisation.Kind.AGENCY).exclude(pk=procurement.winner.agency_id)[0]
    body = bureau.post(
        "/contracts/new/", {**_good(), "procurement": procurement.pk, "agency": loser.pk}
    ).content.decode()
    assert "承接主体须为该采购项目的成交供应商" in body and not Contract.objects.filter(number="DT-PAGE-C1").exists()
    bureau.post("/contracts/new/", {**_good(), "procurement": procurement.pk, "agency": procurement.winner.agency_id})
    made = Contract.objects.get(number="DT-PAGE-C1")
    assert made.procurement_id == procurement.pk and made.procurement_method == procurement.method


@pytest.mark.parametrize("username", ["junxi_town", "agency_sunshine", "evaluator", "fj_province", "sanming_city"])
def test_other_roles_get_404(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    assert client.get("/contracts/new/").status_code == 404
    assert client.post("/contracts/new/", _good()).status_code == 404
    assert 'href="/contracts/new/"' not in client.get("/contracts/").content.decode()
    assert not Contract.objects.filter(number="DT-PAGE-C1").exists()


def test_the_city_demo_account_sees_its_counties_filings(user_client) -> None:  # type: ignore[no-untyped-def]
    city = user_client("sanming_city")
    page = city.get("/contracts/filings/")
    assert page.status_code == 200
    signed = Contract.objects.filter(buyer__division_id="350425").exclude(status="draft").exclude(signed_date=None)
    body = page.content.decode()
    assert signed.exists() and all(f'href="/contracts/{c.pk}/"' in body for c in signed[:10])


def test_a_renewal_carries_the_cycle_and_staffing_and_stops_at_the_cycles_end(demo: None) -> None:
    from django.core.exceptions import ValidationError

    from evaluation import actions as ea
    from tests.evaluation.support import contract, finalized, user

    c = contract()
    Contract.objects.filter(pk=c.pk).update(
        cycle_start=c.start_date,
        cycle_end=dt.date(c.end_date.year + 1, 12, 31),
        resident_workers=3,
        station_head_required=True,
        staffing_note="站长不占名额",
    )
    c.refresh_from_db()
    finalized(passed=True, c=c)
    bureau = user("datian_bureau")
    following = ea.renew(acting_user=bureau, contract=c, signed_date=timezone.localdate()).next
    assert following is not None
    assert (following.cycle_start, following.cycle_end) == (c.cycle_start, c.cycle_end)
    assert (following.resident_workers, following.station_head_required, following.staffing_note) == (
        3,
        True,
        "站长不占名额",
    )
    # The cycle's last year: the term after it would run past the cycle — a new procurement, not a renewal.
    Contract.objects.filter(pk=following.pk).update(status=Contract.Status.ACTIVE)
    following.refresh_from_db()
    finalized(passed=True, c=following)
    before = Contract.objects.count()
    with pytest.raises(ValidationError, match="本期服务期须在项目周期之内"):
        ea.renew(acting_user=bureau, contract=following, signed_date=timezone.localdate())
    assert Contract.objects.count() == before


def test_the_bureau_edits_its_draft_and_only_a_draft(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    assert bureau.post("/contracts/new/", _good()).status_code == 302
    contract = Contract.objects.get(number="DT-PAGE-C1")
    detail = bureau.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'href="/contracts/{contract.pk}/edit/"' in detail
    form = bureau.get(f"/contracts/{contract.pk}/edit/").content.decode()
    assert "修改协议草稿 DT-PAGE-C1" in form and 'value="320000.50"' in form
    # The dates come back in the only form an <input type="date"> shows (ISO), never the localised 2026/01/01.
    assert f'name="start_date" value="{contract.start_date.isoformat()}"' in form
    shipai = Station.objects.get(division_id=SHIPAI, level=Station.Level.TOWNSHIP)
    refused = bureau.post(f"/contracts/{contract.pk}/edit/", {**_good(), "stations": [shipai.pk]})
    assert refused.status_code == 200 and "不在均溪镇人民政府辖区内" in refused.content.decode()
    changed = bureau.post(f"/contracts/{contract.pk}/edit/", {**_good(), "amount_per_year": "298000.00"})
    assert changed.status_code == 302
    contract.refresh_from_db()
    assert str(contract.amount_per_year) == "298000.00"
    assert AuditLog.objects.filter(event="update", object_id=str(contract.pk)).exists()
    for username in ("agency_sunshine", "junxi_town"):
        assert user_client(username).get(f"/contracts/{contract.pk}/edit/").status_code == 404
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.SIGNED)
    assert bureau.get(f"/contracts/{contract.pk}/edit/").status_code == 404
    baisha_bureau = Organisation.objects.create(kind=Organisation.Kind.BUREAU, name="白沙测试局", division_id="469025")
    outside = Contract.objects.create(
        number="BS-EDIT",
        buyer=baisha_bureau,
        division_id="469025",
        agency=Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光"),
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
        status=Contract.Status.DRAFT,
    )
    assert bureau.get(f"/contracts/{outside.pk}/edit/").status_code == 404


def test_the_agreement_buys_catalogue_items_shown_on_its_page_api_pdf_and_ocds(user_client) -> None:  # type: ignore[no-untyped-def]
    """Issue 8 item 2 "selected catalogue items": chosen on the draft's form (Datian's policy names no catalogue,
    so every catalogue the platform holds is offered), kept with the audit row, and carried into the outputs."""
    from services.models import ServiceItem

    items = list(ServiceItem.objects.select_related("domain").order_by("pk")[:2])
    assert len(items) == 2
    bureau = user_client("datian_bureau")
    form = bureau.get("/contracts/new/").content.decode()
    assert f'value="{items[0].pk}"' in form and "服务内容（服务清单项目）" in form
    assert bureau.post("/contracts/new/", {**_good(), "service_items": [i.pk for i in items]}).status_code == 302
    contract = Contract.objects.get(number="DT-PAGE-C1")
    assert set(contract.service_items.all()) == set(items)
    row = AuditLog.objects.get(event="create", object_type="contracts.Contract", object_id=str(contract.pk))
    assert sorted(row.changes["service_items"]["after"]) == sorted(str(i.pk) for i in items)
    page = bureau.get(f"/contracts/{contract.pk}/").content.decode()
    assert items[0].name in page and "服务内容（服务清单项目，2 项）" in page
    api = bureau.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert [i["id"] for i in api["service_items"]] == [
        i.pk for i in sorted(items, key=lambda i: (i.domain.order, i.order, i.code))
    ]
    ocds = bureau.get(f"/api/v1/contracts/{contract.pk}/ocds/").json()
    assert {i["description"].split(" ")[0] for i in ocds["releases"][0]["contracts"][0]["items"]} == {
        i.code for i in items
    }
    # Editing the draft keeps one item; an item not offered is refused in Chinese.
    kept = bureau.post(f"/contracts/{contract.pk}/edit/", {**_good(), "service_items": [items[0].pk]})
    assert kept.status_code == 302 and list(contract.service_items.all()) == [items[0]]
    refused = bureau.post(f"/contracts/{contract.pk}/edit/", {**_good(), "service_items": ["999999"]})
    assert "所选项不在可选范围内" in refused.content.decode()
    assert list(contract.service_items.all()) == [items[0]]
