"""The evaluation score export: core.xlsx's writer, text cells as strings, each party's share shown only to
those who may read it (issue 11 item 7)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from .support import evaluation, scored

pytestmark = pytest.mark.django_db


def _sheet(client):  # type: ignore[no-untyped-def]
    response = client.get("/evaluations/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return book.active


def test_scores_export_for_the_bureau_and_a_township(user_client) -> None:  # type: ignore[no-untyped-def]
    e = scored(evaluation())
    sheet = _sheet(user_client("datian_bureau"))
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["评估编号", "协议编号", "项目落地"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == str(e.pk))
    # Codes and years are text cells, never numbers; scores stay numbers so Excel can sum them.
    assert row[0].data_type == "s" and row[3].data_type == "s" and row[3].value == "2026"
    assert [row[7].value, row[8].value, row[9].value] == [85, 90, 80]
    assert Decimal(str(row[7].value)) == Decimal("85.00")
    town = _sheet(user_client("junxi_town"))
    town_row = next(r for r in town.iter_rows(min_row=2) if r[0].value == str(e.pk))
    # While the evaluation is open the township reads its own share only.
    assert [town_row[7].value, town_row[8].value, town_row[9].value] == [None, None, 80]


def test_a_formula_like_name_stays_text(user_client) -> None:  # type: ignore[no-untyped-def]
    e = evaluation()
    e.contract.number = "=HYPERLINK(1)"
    e.contract.save(update_fields=["number"])
    sheet = _sheet(user_client("datian_bureau"))
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == str(e.pk))
    assert row[1].value == "=HYPERLINK(1)" and row[1].data_type == "s"


def test_indicator_scores_sheet(user_client) -> None:  # type: ignore[no-untyped-def]
    from evaluation.models import IndicatorScore, PartyScore, SelfEvaluation, SelfIndicatorScore

    from .support import user

    e = scored(evaluation())
    own = SelfEvaluation.objects.create(
        evaluation=e,
        agency_id=e.contract.agency_id,
        score=Decimal("88"),
        summary="总结",
        submitted_by=user("agency_sunshine"),
    )
    SelfIndicatorScore.objects.create(
        self_evaluation=own,
        aspect="项目实施",
        name="=SUM(A1)",
        max_score=Decimal("50"),
        score=Decimal("44"),
        comment="按计划",
    )
    for party, value in (("third_party", "40.5"), ("township", "35")):
        IndicatorScore.objects.create(
            party_score=PartyScore.objects.get(evaluation=e, party=party),
            aspect="项目实施",
            name="服务开展",
            max_score=Decimal("50"),
            score=Decimal(value),
        )

    def items(name: str) -> list[list[object]]:
        response = user_client(name).get("/evaluations/?export=xlsx")
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["绩效评估评分", "指标得分"]
        main = book["绩效评估评分"]
        assert [c.value for c in main[1]][-1] == "机构自评得分"
        row = next(r for r in main.iter_rows(min_row=2) if r[0].value == str(e.pk))
        assert row[-1].value == 88
        sheet = book["指标得分"]
        assert [c.value for c in sheet[1]][:5] == ["评估编号", "协议编号", "服务年度", "评估阶段", "评分方"]
        found = [r for r in sheet.iter_rows(min_row=2) if r[0].value == str(e.pk)]
        assert all(r[0].data_type == "s" and r[2].data_type == "s" for r in found)
        return [[c.value for c in r[4:]] for r in found]

    assert items("datian_bureau") == [
        ["机构自评", "项目实施", "=SUM(A1)", 50, 44, "按计划"],
        ["第三方机构", "项目实施", "服务开展", 50, 40.5, None],
        ["乡镇", "项目实施", "服务开展", 50, 35, None],
    ]
    # The township reads the self-evaluation and its own share only while the evaluation is open.
    assert items("junxi_town") == [
        ["机构自评", "项目实施", "=SUM(A1)", 50, 44, "按计划"],
        ["乡镇", "项目实施", "服务开展", 50, 35, None],
    ]
