"""``python manage.py rotate_data_keys``: re-encrypt every encrypted field of every model with the current key.

Rotation, step by step (README "个人信息 / Personal data"):
1. ``python manage.py rotate_data_keys --generate --key-id k2`` prints a new data key (and a new lookup key);
2. put the new key FIRST in ZHANWU_DATA_KEYS, keep the old ones after it (``k2:…,k1:…``); to change the lookup
   key too, replace ZHANWU_LOOKUP_KEY; restart the web, worker and beat processes;
3. run ``python manage.py rotate_data_keys``: rows sealed with an older key are sealed again with the current
   key, lookup hashes are recomputed, in batches; it is safe to interrupt and to run again;
4. when it reports 0 rows left on an older key, remove the old key from ZHANWU_DATA_KEYS.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.personal import crypto
from core.personal.rotation import rotate_all


class Command(BaseCommand):
    help = "用当前密钥重新加密所有个人信息字段，并重算查找用的散列值（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数（默认 500）")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")
        parser.add_argument("--generate", action="store_true", help="生成一把新的数据密钥和查找密钥并打印，不改数据")
        parser.add_argument("--key-id", default="k1", help="--generate 时新密钥的编号（默认 k1）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            data, lookup = crypto.generate_key_text(options["key_id"])
            self.stdout.write("# 新数据密钥放在 ZHANWU_DATA_KEYS 的最前面，旧密钥保留在后面，直到轮换完成：")
            self.stdout.write(f"ZHANWU_DATA_KEYS={data}")
            self.stdout.write("# 查找密钥（仅在需要更换时替换，替换后必须运行本命令重算散列）：")
            self.stdout.write(f"ZHANWU_LOOKUP_KEY={lookup}")
            return
        crypto.reset_keyring()
        ring = crypto.keyring()
        self.stdout.write(f"当前数据密钥：{ring.current_id}（共 {len(ring.keys)} 把）")
        total = 0
        try:
            reports = rotate_all(batch_size=options["batch_size"], dry_run=options["dry_run"])
        except crypto.DecryptionError as exc:
            # Batches already done stay done (each is its own transaction); run again once the key is back.
            raise CommandError(
                f"有数据无法解密（{exc}）：请把加密这些数据的旧密钥放回 ZHANWU_DATA_KEYS（当前密钥之后）再运行。"
            ) from exc
        for report in reports:
            total += report.rows_rewritten
            old = "，".join(f"{k}: {n}" for k, n in sorted(report.old_keys.items())) or "无"
            verb = "需重写" if options["dry_run"] else "已重写"
            self.stdout.write(
                f"{report.label}: 检查 {report.rows_seen} 行，{verb} {report.rows_rewritten} 行（旧密钥 {old}）"
            )
        self.stdout.write(self.style.SUCCESS(f"完成：{'需重写' if options['dry_run'] else '已重写'} {total} 行。"))
