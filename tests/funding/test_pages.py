"""The funding pages and API as their users meet them: the bureau proposes, edits and approves a budget; the agency
records a spending with its receipt and sees it refused when the policy forbids it; the bureau reviews it; the
API answers money as strings and each object says what the caller may do next."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from funding.models import Budget, Expenditure
from tests.funding.support import PDF, pdf, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bureau_proposes_edits_and_approves_in_the_browser(demo: None) -> None:
    p = place("469025", plaque=dt.date(2022, 5, 1))
    bureau = _client(p.bureau)
    year = timezone.localdate().year
    form = bureau.get("/funding/budgets/new/").content.decode()
    assert p.station.name in form and "生成预算草稿" in form
    response = bureau.post("/funding/budgets/new/", {"station": p.station.pk, "year": year, "first_year": ""})
    assert response.status_code == 302
    budget = Budget.objects.get(station=p.station, year=year)
    page = bureau.get(response["Location"]).content.decode()
    assert "162,000.00 元" in page and "220,000.00 元" in page and "批准预算" in page and "目前不适用" in page
    edit = bureau.get(f"/funding/budgets/{budget.pk}/edit/").content.decode()
    assert "第 1 行" in edit and "人力服务费用" in edit
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-kind": "labour",
        "form-0-category": "labour",
        "form-0-source": "county",
        "form-0-amount": "160000",
        "form-1-kind": "operations",
        "form-1-source": "county",
        "form-1-amount": "60000",
    }
    assert bureau.post(f"/funding/budgets/{budget.pk}/edit/", data).status_code == 302
    bad = bureau.post(f"/funding/budgets/{budget.pk}/edit/", {**data, "form-1-amount": "abc"})
    assert bad.status_code == 400 and "数字" in bad.content.decode()
    assert bureau.post(f"/funding/budgets/{budget.pk}/", {"do": "approve"}).status_code == 302
    assert Budget.objects.get(pk=budget.pk).status == "approved"
    listing = bureau.get(f"/funding/budgets/?year={year}").content.decode()
    assert f'data-budget-id="{budget.pk}"' in listing and "已批准" in listing
    # An agency does not reach the proposal form, nor the draft editor.
    assert _client(p.agency).get("/funding/budgets/new/").status_code == 404


def _approved(p: Any) -> Budget:
    from funding import actions as fa

    budget = fa.budget_propose(acting_user=p.bureau, station=p.station, year=timezone.localdate().year)
    fa.budget_update(
        acting_user=p.bureau,
        budget=budget,
        lines=[
            {"kind": "labour", "category": "labour", "source": "county", "amount": "100000"},
            {"kind": "operations", "source": "county", "amount": "50000"},
        ],
    )
    return fa.budget_approve(acting_user=p.bureau, budget=budget)


def test_agency_records_spending_with_a_receipt_and_the_bureau_reviews_it(demo: None) -> None:
    p = place("510502", plaque=dt.date(2022, 1, 1))
    budget = _approved(p)
    agency = _client(p.agency)
    form = agency.get(f"/funding/budgets/{budget.pk}/spend/").content.decode()
    # Luzhou forbids fixed assets and utilities [001 annex 2 item 17(3)]: not offered at all.
    assert '<option value="transport"' in form
    assert '<option value="utilities"' not in form and '<option value="fixed_assets"' not in form
    assert "本站不能登记的支出：" in form and "水电费" in form and "附件2第17条第（三）项" in form
    line = budget.lines.get(kind="operations")
    base = {
        "line": line.pk,
        "category": "utilities",
        "amount": "120.00",
        "spent_on": str(timezone.localdate()),
        "payee": "供电公司",
        "description": "电费",
    }
    refused = agency.post(f"/funding/budgets/{budget.pk}/spend/", {**base, "receipt": pdf()})
    assert refused.status_code == 400 and "选择一个有效的选项" in refused.content.decode()
    wrong = agency.post(
        f"/funding/budgets/{budget.pk}/spend/", {**base, "category": "transport", "receipt": pdf(b"GIF89a")}
    )
    assert wrong.status_code == 400 and "PDF、JPG 或 PNG" in wrong.content.decode()
    assert not Expenditure.objects.filter(budget=budget).exists()
    ok = agency.post(f"/funding/budgets/{budget.pk}/spend/", {**base, "category": "transport", "receipt": pdf()})
    assert ok.status_code == 302
    row = Expenditure.objects.get(budget=budget)
    receipt = agency.get(f"/funding/expenditures/{row.pk}/receipt/")
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content) == PDF  # type: ignore[attr-defined]
    assert receipt["Cache-Control"] == "private, no-store"
    other = place("510502")
    assert _client(other.agency).get(f"/funding/expenditures/{row.pk}/receipt/").status_code == 404
    bureau = _client(p.bureau)
    page = bureau.get(f"/funding/expenditures/{row.pk}/").content.decode()
    assert "核准" in page and "退回" in page and "查看票据" in page
    assert bureau.post(f"/funding/expenditures/{row.pk}/", {"do": "return", "note": ""}).status_code == 400
    assert bureau.post(f"/funding/expenditures/{row.pk}/", {"do": "approve"}).status_code == 302
    assert Expenditure.objects.get(pk=row.pk).status == "approved"
    detail = bureau.get(f"/funding/budgets/{budget.pk}/").content.decode()
    assert "120.00 元" in detail and "49,880.00 元" in detail


def test_the_api_answers_money_as_strings_and_what_comes_next(demo: None) -> None:
    p = place("469025", plaque=dt.date(2022, 5, 1))
    bureau = _client(p.bureau)
    year = timezone.localdate().year
    created = bureau.post("/api/v1/budgets/", {"station": p.station.pk, "year": year}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["total"] == "220000.00" and body["labour"] == "162000.00"
    assert {a["action"] for a in body["allowed_actions"]} == {"funding.budget_update", "funding.budget_approve"}
    assert all(isinstance(line["amount"], str) for line in body["lines"])
    approved = bureau.post(f"/api/v1/budgets/{body['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["allowed_actions"] == []
    again = bureau.post(f"/api/v1/budgets/{body['id']}/approve/")
    assert again.status_code in (400, 404)
    agency = _client(p.agency)
    line = next(x for x in approved.json()["lines"] if x["kind"] == "operations")
    spent = agency.post(
        "/api/v1/expenditures/",
        {
            "budget": body["id"],
            "line": line["id"],
            "category": "transport",
            "amount": "88.80",
            "spent_on": str(timezone.localdate()),
            "payee": "客运站",
            "description": "入户交通",
            "receipt": pdf(),
        },
    )
    assert spent.status_code == 201, spent.content
    assert spent.json()["amount"] == "88.80" and spent.json()["receipt_url"].endswith("/receipt/")
    listed = bureau.get(f"/api/v1/budgets/?year={year}").json()["results"]
    ops = next(x for x in listed[0]["lines"] if x["kind"] == "operations")
    assert ops["pending"] == "88.80" and ops["approved"] == "0.00"
    assert bureau.get("/api/v1/budgets/?year=20x6").status_code == 400
    assert _client(place("350425").agency).get(f"/api/v1/budgets/{body['id']}/").status_code == 404


def test_the_budget_list_reads_in_a_fixed_number_of_queries(demo: None, django_assert_max_num_queries: Any) -> None:
    p = place("469025")
    for _ in range(3):
        q = place("469025")
        _approved(q)
    _approved(p)
    client = _client(p.bureau)
    client.get("/api/v1/budgets/")
    with django_assert_max_num_queries(20):
        assert client.get("/api/v1/budgets/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/funding/budgets/").status_code == 200
