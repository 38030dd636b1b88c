"""Payment schedule, performance indicators and breach terms: a page form and the API for the buying bureau
while the agreement is a draft; shown on the page, printed in the PDF, the payments in the OCDS release."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from contracts.models import BreachTerm, Contract, PaymentInstalment, PerformanceIndicator
from core.models import AuditLog
from tests.contracts.write_cases import filed_contract, terms

pytestmark = pytest.mark.django_db


def _draft() -> Contract:
    contract = filed_contract(status="draft", filed=False)
    Contract.objects.filter(pk=contract.pk).update(amount_per_year="300000.00")
    contract.refresh_from_db()
    return contract


def _form(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for prefix, items in rows.items():
        data.update({f"{prefix}-TOTAL_FORMS": str(max(3, len(items))), f"{prefix}-INITIAL_FORMS": "0"})
        for n, item in enumerate(items):
            data.update({f"{prefix}-{n}-{k}": v for k, v in item.items()})
    return data


def test_the_bureau_fills_the_terms_on_the_page_and_they_print(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _draft()
    year = contract.start_date.year
    bureau = user_client("datian_bureau")
    assert bureau.get(f"/contracts/{contract.pk}/terms/").status_code == 200
    data = _form(
        {
            "pay": [
                {"due_date": f"{year}-02-01", "amount": "150000.00", "condition": "协议签订后"},
                {"due_date": f"{year}-08-01", "amount": "150000.00", "condition": "中期评估合格后"},
            ],
            "ind": [{"name": "个案服务", "target": "20", "unit": "个"}],
            "bre": [{"party": "agency", "text": "未按期配齐驻站社工的，甲方可扣减当期服务费"}],
        }
    )
    response = bureau.post(f"/contracts/{contract.pk}/terms/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert list(PaymentInstalment.objects.filter(contract=contract).values_list("sequence", "amount")) == [
        (1, Decimal("150000.00")),
        (2, Decimal("150000.00")),
    ]
    assert PerformanceIndicator.objects.get(contract=contract).target == "20"
    assert BreachTerm.objects.get(contract=contract).party == "agency"
    assert AuditLog.objects.filter(object_id=str(contract.pk), event="terms").exists()
    page = bureau.get(f"/contracts/{contract.pk}/").content.decode()
    assert "中期评估合格后" in page and "个案服务" in page
    pdf = bureau.get(f"/contracts/{contract.pk}/pdf/").content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "中期评估合格后" in text and "个案服务" in text and "未按期配齐驻站社工" in text
    ocds = bureau.get(f"/api/v1/contracts/{contract.pk}/ocds/").json()
    milestones = ocds["releases"][0]["contracts"][0]["milestones"]
    assert [m["type"] for m in milestones] == ["financing", "financing"]
    from tests.contracts.test_ocds import _errors

    assert _errors(ocds) == []


def test_refusals_in_chinese_and_nothing_saved(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _draft()
    bureau = user_client("datian_bureau")
    over = _form(
        {"pay": [{"due_date": f"{contract.start_date.year}-02-01", "amount": "999999.00"}], "ind": [], "bre": []}
    )
    body = bureau.post(f"/contracts/{contract.pk}/terms/", over).content.decode()
    assert "超过协议金额" in body
    outside = _form({"pay": [{"due_date": "2001-01-01", "amount": "1.00"}], "ind": [], "bre": []})
    assert "须在协议服务期内" in bureau.post(f"/contracts/{contract.pk}/terms/", outside).content.decode()
    half = _form({"pay": [], "ind": [{"name": "个案服务"}], "bre": []})
    assert "请同时填写指标和目标值" in bureau.post(f"/contracts/{contract.pk}/terms/", half).content.decode()
    assert not PaymentInstalment.objects.filter(contract=contract).exists()
    assert not PerformanceIndicator.objects.filter(contract=contract).exists()
    # Signed agreements change their terms only by amendment; other roles do not reach the form.
    signed = filed_contract()
    api = bureau.post(
        f"/api/v1/contracts/{signed.pk}/terms/", json.dumps(terms(), default=str), content_type="application/json"
    )
    assert api.status_code in (403, 404)
    assert user_client("agency_sunshine").get(f"/contracts/{contract.pk}/terms/").status_code == 404
    assert user_client("fj_province").get(f"/contracts/{contract.pk}/terms/").status_code == 404


def test_the_api_sets_and_reads_the_terms(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _draft()
    bureau = user_client("datian_bureau")
    data_in = {
        **terms(),
        "payments": [{"due_date": dt.date(contract.start_date.year, 3, 1).isoformat(), "amount": "100.00"}],
    }
    response = bureau.post(
        f"/api/v1/contracts/{contract.pk}/terms/", json.dumps(data_in), content_type="application/json"
    )
    assert response.status_code == 200, response.content[:300]
    data = response.json()["terms"]
    assert data["payments"] == [{"due_date": data_in["payments"][0]["due_date"], "amount": "100.00", "condition": ""}]
    assert data["indicators"][0]["name"] == "个案服务" and data["breach_terms"][0]["party"] == "agency"
