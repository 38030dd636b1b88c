"""Writes to the service catalogue (reference data loaded from services/data/catalogues)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .models import ServiceCatalogue, ServiceDomain, ServiceItem

CATALOGUE_DIR = Path(__file__).resolve().parent / "data" / "catalogues"


@transaction.atomic
def load_catalogue(path: Path) -> ServiceCatalogue:
    """Load one catalogue file; idempotent."""
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogue, _ = ServiceCatalogue.objects.update_or_create(
        code=data["code"],
        defaults={"name": data["name"], "seed": data.get("seed", ""), "clause": data.get("clause", "")},
    )
    domain_codes = []
    for d_order, d in enumerate(data["domains"], start=1):
        domain, _ = ServiceDomain.objects.update_or_create(
            catalogue=catalogue,
            code=d["code"],
            defaults={
                "name": d["name"],
                "description": d.get("description", ""),
                "clause": d.get("clause", ""),
                "description_clause": d.get("description_clause", ""),
                "phase": d.get("phase", ""),
                "order": d_order,
            },
        )
        domain_codes.append(domain.code)
        item_codes = []
        for i_order, item in enumerate(d.get("items", []), start=1):
            ServiceItem.objects.update_or_create(
                domain=domain,
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "guideline": item.get("guideline", ""),
                    "targets": item.get("targets", "")[:200],
                    "order": i_order,
                },
            )
            item_codes.append(item["code"])
        ServiceItem.objects.filter(domain=domain).exclude(code__in=item_codes).delete()
    ServiceDomain.objects.filter(catalogue=catalogue).exclude(code__in=domain_codes).delete()
    return catalogue


def load_catalogues() -> list[ServiceCatalogue]:
    return [load_catalogue(p) for p in sorted(CATALOGUE_DIR.glob("*.json"))]
