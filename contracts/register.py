"""The Excel register of agreements (openpyxl write-only): every text cell a string, codes never numbers."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import Contract

HEADERS = [
    "协议编号",
    "购买主体",
    "项目落地区划",
    "区划代码",
    "项目落地方",
    "承接主体",
    "承接主体统一社会信用代码",
    "采购方式",
    "年度金额（元）",
    "签订日期",
    "报备日期",
    "服务开始日期",
    "服务结束日期",
    "状态",
]


def register_xlsx(contracts: Iterable[Contract]) -> bytes:
    """One row per agreement (the queryset must select buyer, division, township and agency)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("服务协议登记")
    sheet.append(HEADERS)
    for c in contracts:
        texts = [
            c.number,
            c.buyer.name,
            c.division.name,
            c.division_id,
            c.township.name if c.township else "",
            c.agency.name,
            c.agency.credit_code or "",
            c.get_procurement_method_display() or "",
        ]
        row: list[object] = []
        for value in texts:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.number_format = "@"  # text: a division or credit code stays a string in Excel
            row.append(cell)
        row.append(c.amount_per_year)  # Decimal: a number, summed in Excel
        for day in (c.signed_date, c.filed_date, c.start_date, c.end_date):
            cell = WriteOnlyCell(sheet, value=day)
            cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        row.append(WriteOnlyCell(sheet, value=str(c.get_status_display())))
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
