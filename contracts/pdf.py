"""The agreement as a Chinese PDF (WeasyPrint): parties, terms, deadlines, amendments, the task book and the three
parties' signature blocks. Fonts are the system's Noto CJK faces, embedded as subsets; the text stays selectable."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .deadlines import contract_deadlines
from .models import Contract, TaskBook


def agreement_context(contract: Contract) -> dict[str, Any]:
    book = TaskBook.objects.filter(contract=contract).first()
    sections = (
        [(getattr(TaskBook._meta.get_field(n), "verbose_name", n), getattr(book, n)) for n in TaskBook.SECTIONS]
        if book
        else []
    )
    return {
        "contract": contract,
        "title": f"{contract.division.name}社会工作服务站项目服务协议",
        "stations": list(contract.stations.order_by("name")),
        "service_items": list(
            contract.service_items.select_related("domain").order_by("domain__order", "order", "code")
        ),
        "amendments": list(contract.amendments.prefetch_related("stations_added", "stations_removed")),
        "deadlines": contract_deadlines(contract),
        "book_sections": sections,
        "payments": list(contract.payments.all()),
        "indicators": list(contract.indicators.all()),
        "breach_terms": list(contract.breach_terms.all()),
    }


def agreement_pdf(contract: Contract) -> bytes:
    from weasyprint import HTML

    html = render_to_string("contracts/agreement_pdf.html", agreement_context(contract))
    return HTML(string=html).write_pdf() or b""
