"""``python manage.py load_presets``: the five documents as templates, and the service catalogues (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from policies.actions import load_presets
from services.actions import load_catalogues


class Command(BaseCommand):
    help = "载入（或更新）预置政策方案模板和服务清单；可重复运行。预置方案不会成为任何区划的政策，须由民政局采用。"

    def handle(self, *args: Any, **options: Any) -> None:
        presets = load_presets()
        catalogues = load_catalogues()
        for preset in presets:
            self.stdout.write(f"预置方案：{preset.name}（{len(preset.rules)} 条规则）")
        for catalogue in catalogues:
            self.stdout.write(f"服务清单：{catalogue.name}")
