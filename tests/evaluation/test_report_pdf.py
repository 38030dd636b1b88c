"""The evaluation report as a Chinese PDF: its text (station, total, self-evaluation, indicator scores) is
selectable, the CJK fonts are embedded, and a reader gets only the shares it may read; out of scope: 404."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from evaluation.models import Evaluation, IndicatorScore, PartyScore, SelfEvaluation
from tests.contracts.test_pdf import _fonts

from .support import evaluation, finalized, scored, user

pytestmark = pytest.mark.django_db


def _text(client, e: Evaluation) -> tuple[str, PdfReader]:  # type: ignore[no-untyped-def]
    response = client.get(f"/evaluations/{e.pk}/?export=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", ""), reader


def test_the_report_holds_the_station_and_total_as_text(user_client) -> None:  # type: ignore[no-untyped-def]
    e = finalized()  # total 86.00, pass mark 60
    SelfEvaluation.objects.create(
        evaluation=e,
        agency_id=e.contract.agency_id,
        score=Decimal("91.25"),
        summary="个案服务稳步推进",
        submitted_by=user("agency_sunshine"),
    )
    third = PartyScore.objects.get(evaluation=e, party="third_party")
    IndicatorScore.objects.create(
        party_score=third, aspect="服务绩效", name="服务对象满意度", max_score=Decimal("25"), score=Decimal("21.5")
    )
    station = e.contract.stations.get()
    text, reader = _text(user_client("datian_bureau"), e)
    assert station.name in text
    assert "86.00分" in text and "合格" in text
    assert "91.25分" in text and "个案服务稳步推进" in text
    assert "服务对象满意度" in text and "21.50/25.00" in text
    fonts = _fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("CJK" in name for name, _ in fonts), fonts


def test_an_open_evaluations_report_shows_a_party_only_its_share(user_client) -> None:  # type: ignore[no-untyped-def]
    e = scored(evaluation(), third="77.70", county="90", town="66.60")
    text, _ = _text(user_client("junxi_town"), e)
    assert "66.60分" in text and "77.70" not in text
    bureau_text, _ = _text(user_client("datian_bureau"), e)
    assert "66.60分" in bureau_text and "77.70分" in bureau_text and "结果尚未认定" in bureau_text
    assert user_client("agency_harmony").get(f"/evaluations/{e.pk}/?export=pdf").status_code == 404
