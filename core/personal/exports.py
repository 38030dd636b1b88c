"""Excel and PDF helpers for lists that may hold personal data. Masked unless the caller passes ``clear=True``
after ``access.export_clear`` (which checks the role, scope and reason and writes the audit rows).

Every text cell is written as a string: a value starting with ``= + - @`` never becomes a formula (SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string

from core.xlsx import XLSX_TYPE, xlsx_bytes

from .fields import EncryptedTextField
from .masking import mask


@dataclass(frozen=True)
class Column:
    """A column of an export: a header and an attribute name or a function of the row."""

    header: str
    value: str | Callable[[Any], Any]

    def raw(self, obj: Any) -> Any:
        return self.value(obj) if callable(self.value) else getattr(obj, self.value)


def cell_value(obj: Any, column: Column, *, clear: bool = False) -> Any:
    """A column's value for one object: an encrypted field is masked unless ``clear``."""
    value = column.raw(obj)
    if isinstance(column.value, str) and not clear:
        field = _encrypted(obj, column.value)
        if field is not None:
            return mask(field.mask_kind, value)
    return value


def _encrypted(obj: Any, name: str) -> EncryptedTextField | None:
    try:
        field = obj._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field (a property): nothing to mask
        return None
    return field if isinstance(field, EncryptedTextField) else None


def table_rows(objects: Iterable[Any], columns: Sequence[Column], *, clear: bool = False) -> list[list[Any]]:
    return [[cell_value(obj, c, clear=clear) for c in columns] for obj in objects]


def workbook_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    """An .xlsx file through the one writer (core.xlsx): text cells never become formulas."""
    return xlsx_bytes(headers, rows, title=title)


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(
    filename: str, columns: Sequence[Column], objects: Iterable[Any], *, clear: bool = False, title: str = "导出"
) -> HttpResponse:
    content = workbook_bytes([c.header for c in columns], table_rows(objects, columns, clear=clear), title=title)
    return attachment(content, filename, XLSX_TYPE)


def pdf_bytes(template_name: str, context: dict[str, Any]) -> bytes:
    """A PDF from a template (WeasyPrint). Templates show personal fields through the ``masked`` filter or
    ``table_rows`` (masked unless clear), like pages do."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html).write_pdf() or b""


def pdf_response(filename: str, template_name: str, context: dict[str, Any]) -> HttpResponse:
    return attachment(pdf_bytes(template_name, context), filename, "application/pdf")
