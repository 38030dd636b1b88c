"""``manage.py refresh_indicators [--period 2026-05|2026Q2|2026 ...] [--year 2026]``: rebuild the indicator tables.

Without arguments: this month, this quarter and this year (what the nightly job does). ``--year Y`` rebuilds every
month and quarter of Y and Y itself (a full rebuild of that year)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards.indicators import Period
from dashboards.refresh import current_periods, refresh


class Command(BaseCommand):
    help = "重新计算统计指标（默认本月和本年）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", action="append", default=[], help="期间：YYYY-MM、YYYYQn 或 YYYY，可重复")
        parser.add_argument("--year", type=int, help="重算该年每个月、每个季度和全年")

    def handle(self, *args: Any, **options: Any) -> None:
        periods = list(options["period"])
        if options["year"]:
            y = options["year"]
            periods += [f"{y}-{m:02d}" for m in range(1, 13)] + [f"{y}Q{q}" for q in range(1, 5)] + [str(y)]
        if not periods:
            periods = current_periods(timezone.localdate())
        for text in periods:
            try:
                Period.parse(text)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        for text in periods:
            written = refresh(text)
            self.stdout.write(f"{text}：" + "，".join(f"{k} {v} 行" for k, v in written.items()))
