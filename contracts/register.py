"""The Excel register of agreements (openpyxl write-only): every text cell a string, codes never numbers."""

from __future__ import annotations

from collections.abc import Iterable

from core.xlsx import xlsx_bytes

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
WIDTHS = [18, 20, 14, 14, 18, 26, 22, 12, 14, 12, 12, 12, 12, 8]


def register_xlsx(contracts: Iterable[Contract]) -> bytes:
    """One row per agreement (the queryset must select buyer, division, township and agency), written by the one
    Excel writer (core.xlsx): text cells never become formulas or numbers, the amount stays a number, dates dates."""
    rows = (
        [
            c.number,
            c.buyer.name,
            c.division.name,
            c.division_id,
            c.township.name if c.township else "",
            c.agency.name,
            c.agency.credit_code or "",
            c.get_procurement_method_display() or "",
            c.amount_per_year,
            c.signed_date,
            c.filed_date,
            c.start_date,
            c.end_date,
            str(c.get_status_display()),
        ]
        for c in contracts
    )
    return xlsx_bytes(HEADERS, rows, title="服务协议登记", widths=WIDTHS)
