from pathlib import Path

from django.core.management.base import BaseCommand

from home.demo import DEMO_PASSWORD, SHIPPED_DIVISIONS, load_demo


class Command(BaseCommand):
    help = "载入大田县演示数据（可重复执行）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--divisions", type=Path, default=SHIPPED_DIVISIONS, help="区划数据目录")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        accounts = load_demo(options["divisions"])
        from obligations.sweep import run_sweep

        # The daily sweep once now, so the demo's home pages open with their 待办 (the beat job keeps it true).
        swept = run_sweep()
        self.stdout.write(f"每日待办巡检：新增 {sum(k.created for k in swept.kinds)} 项待办")
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{len(accounts)} 个演示账号，密码均为 {DEMO_PASSWORD}"))
