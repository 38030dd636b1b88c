"""The agreement PDF: a real PDF whose text (parties, terms, task book, signature blocks) is selectable, with the
CJK fonts embedded; only readers of the agreement get it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from contracts.models import TaskBook
from tests.contracts.write_cases import filed_contract

pytestmark = pytest.mark.django_db


def _fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            reference: Any = target.get("/FontDescriptor")
            descriptor = reference.get_object() if reference is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.append((str(font.get("/BaseFont")), embedded))
    return out


def test_the_pdf_holds_the_parties_terms_task_book_and_signature_blocks_as_text(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = filed_contract()
    TaskBook.objects.create(
        contract=contract,
        staffing="驻站社工两名，站长一名",
        overview="为困难群众提供社会工作服务",
        needs_analysis="需求分析内容",
        service_plan="服务计划内容",
        indicators="个案不少于二十个",
        fund_plan="人员经费占七成",
    )
    from services.models import ServiceItem

    item = ServiceItem.objects.order_by("pk").first()
    assert item is not None
    contract.service_items.add(item)
    response = user_client("datian_bureau").get(f"/contracts/{contract.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert contract.buyer.name in text and contract.agency.name in text
    assert contract.number in text
    assert "服务内容" in text and item.name.replace(" ", "") in text
    assert "项目任务书" in text and "驻站社工两名" in text and "个案不少于二十个" in text
    assert "甲方（盖章）" in text and "乙方（盖章）" in text and "丙方（盖章）" in text
    fonts = _fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("CJK" in name for name, _ in fonts), fonts


def test_the_pdf_answers_404_outside_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = filed_contract()
    assert user_client("agency_harmony").get(f"/contracts/{contract.pk}/pdf/").status_code == 404
    assert user_client("junxi_town").get(f"/contracts/{contract.pk}/pdf/").status_code == 404


def test_the_pdf_prints_the_cycle_and_the_staffing_requirement(user_client) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    contract = filed_contract()
    type(contract).objects.filter(pk=contract.pk).update(
        cycle_start=contract.start_date,
        cycle_end=dt.date(contract.start_date.year + 2, 12, 31),
        resident_workers=2,
        station_head_required=True,
    )
    response = user_client("datian_bureau").get(f"/contracts/{contract.pk}/pdf/")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    assert "项目周期" in compact and f"{contract.start_date.year + 2}年12月31日" in compact
    assert "每站驻站社工2人" in compact and "须配备站长" in compact
