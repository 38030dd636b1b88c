"""The one Excel writer (core.xlsx): text never becomes a number or a formula, numbers and dates stay typed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from core.xlsx import xlsx_bytes


def test_cells_keep_their_kind() -> None:
    content = xlsx_bytes(
        ["代码", "公式", "金额", "日期", "空", "是否"],
        [["350425100200", "=1+1", Decimal("162000.50"), dt.date(2026, 9, 28), None, True]],
        title="测试" * 20,
        widths=[20, 10],
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == ("测试" * 20)[:31]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    code, formula, amount, day, empty, flag = (sheet.cell(row=2, column=c) for c in range(1, 7))
    assert (code.value, code.data_type, code.number_format) == ("350425100200", "s", "@")
    assert (formula.value, formula.data_type) == ("=1+1", "s")
    assert amount.data_type == "n" and Decimal(str(amount.value)) == Decimal("162000.50")
    assert day.value.date() == dt.date(2026, 9, 28) and day.number_format == "yyyy-mm-dd"
    assert empty.value is None
    assert flag.value == "是"
    assert sheet.column_dimensions["A"].width == 20


def test_aware_datetimes_are_written_without_their_zone() -> None:
    moment = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["时间"], [[moment]]))).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=1)
    assert cell.value == moment.replace(tzinfo=None) and cell.number_format == "yyyy-mm-dd hh:mm"


def test_downloads_say_they_are_excel_workbooks() -> None:
    """The media type registered for .xlsx (IANA): a browser opens the download with Excel/WPS, not as text."""
    from core.xlsx import XLSX_TYPE

    assert XLSX_TYPE == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
