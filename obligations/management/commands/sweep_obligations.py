"""``python manage.py sweep_obligations``: the daily sweep, the same code the beat job runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from obligations.registry import kinds, label_of
from obligations.sweep import run_sweep


class Command(BaseCommand):
    help = "每日待办巡检：生成缺少的待办事项、更新状态并发送提醒（以系统任务账号运行，可重复执行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按这一天巡检（YYYY-MM-DD，默认今天）")
        parser.add_argument("--kind", action="append", help="只巡检这一类事项（可重复）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        unknown = [k for k in options["kind"] or [] if k not in kinds()]
        if unknown:
            raise CommandError(f"没有这类事项：{'、'.join(unknown)}")
        result = run_sweep(today=today, kind_keys=options["kind"])
        for k in result.kinds:
            self.stdout.write(
                f"{label_of(k.kind)}（{k.kind}）：新增 {k.created}，更新 {k.updated}，完成 {k.done}，"
                f"重新打开 {k.reopened}，免除 {k.voided}，"
                f"状态变化 {k.moved}，提醒 {k.reminders}，消息 {k.notifications}"
            )
        self.stdout.write(f"邮件 {result.emailed} 封")
