"""The one Excel writer: every export (stations, registers, rosters, personal data) goes through ``xlsx_bytes``.

openpyxl's write-only mode keeps memory flat for 100,000 rows. Text is always a text cell with the ``@``
format: a 12-digit division code, an 18-character credit code or ID number stays a string in Excel, and a
value starting with ``=`` is never a formula. Numbers (``int``, ``Decimal``) stay numbers so Excel can sum them;
dates get a ``yyyy-mm-dd`` format; ``None`` is an empty cell; ``True``/``False`` are 是/否.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_BOLD = Font(bold=True)


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))  # openpyxl refuses aware datetimes
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, int | float | Decimal):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = TYPE_STRING  # openpyxl would take "=…" for a formula
    cell.number_format = "@"
    return cell


def _write_sheet(
    book: Workbook, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str, widths: Sequence[int]
) -> None:
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = _cell(sheet, header)
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def xlsx_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "导出",
    widths: Sequence[int] = (),
) -> bytes:
    """One sheet: a bold, frozen header row, then ``rows``; column widths in characters where given."""
    return xlsx_book_bytes([(title, headers, rows, widths)])


def xlsx_book_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]], Sequence[int]]]) -> bytes:
    """Several sheets, each ``(title, headers, rows, widths)`` written like :func:`xlsx_bytes`'s one; the first
    is the one a spreadsheet opens on."""
    book = Workbook(write_only=True)
    for title, headers, rows, widths in sheets:
        _write_sheet(book, headers, rows, title, widths)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
