"""Move audit rows older than the retention period to a compressed JSON-lines file, then remove them.

    python manage.py archive_audit --before 2026-05-01 --to /var/backups/zhanwu/audit

Audit rows are kept at least 180 days (网络安全法 art. 21; SECURITY.md; setting AUDIT_RETENTION_DAYS, never
less than 180): a ``--before`` date later than that is refused. The rows written are those with ``at``
before 00:00 (Asia/Shanghai) of that date, one JSON object per line, gzip-compressed, into
``audit-before-<date>-<time>.jsonl.gz`` with a ``.sha256`` file beside it (``sha256sum -c`` checks it).
Only after the file is complete and on disk are the rows deleted, in one transaction that sets the
transaction-local flag ``zhanwu.audit_archive`` the PostgreSQL trigger asks for (core/migrations/0002); the
trigger still refuses any row younger than 180 days. The archive itself leaves an audit row.
"""

from __future__ import annotations

import datetime as dt
import getpass
import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from core import audit
from core.models import AuditLog

FIELDS = [
    "id",
    "at",
    "user_id",
    "username",
    "organisation_id",
    "event",
    "object_type",
    "object_id",
    "object_repr",
    "division_code",
    "changes",
    "ip",
    "success",
]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _line(row: dict[str, Any]) -> bytes:
    row = dict(row)
    row["at"] = row["at"].isoformat()
    return (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


class Command(BaseCommand):
    help = "把超过保存期限（至少 180 天）的审计日志写入压缩的 JSON Lines 文件（附 SHA-256 摘要），然后从数据库删除。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", required=True, type=_date, help="归档此日期（北京时间 0 点）之前的记录，YYYY-MM-DD"
        )
        parser.add_argument("--to", required=True, type=Path, help="归档文件写入的目录（不存在则创建）")

    def handle(self, *args: Any, before: dt.date, to: Path, **options: Any) -> None:
        retention = settings.AUDIT_RETENTION_DAYS
        cutoff = dt.datetime.combine(before, dt.time.min, tzinfo=timezone.get_default_timezone())
        latest = timezone.now() - dt.timedelta(days=retention)
        if cutoff > latest:
            allowed = timezone.localdate(latest)
            raise CommandError(
                f"审计日志至少保存 {retention} 天（网络安全法第二十一条）：--before 不能晚于 {allowed:%Y-%m-%d}。"
            )
        to.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
        path = to / f"audit-before-{before:%Y-%m-%d}-{stamp}.jsonl.gz"
        partial = path.with_name(path.name + ".partial")
        if path.exists() or partial.exists():
            raise CommandError(f"文件已存在：{path}")
        try:
            with transaction.atomic():
                count, first_id, last_id = self._archive(cutoff, partial, path)
                if count == 0:
                    self.stdout.write(f"没有 {before:%Y年%m月%d日} 之前的审计日志，未生成文件。")
                    return
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                self._delete(cutoff, last_id, count)
                audit.record(
                    acting_user=None,
                    username=f"{getpass.getuser()}（archive_audit）"[:150],
                    event=AuditLog.Event.DELETE,
                    object_type=AuditLog._meta.label,
                    object_repr=f"归档并删除 {before:%Y年%m月%d日} 之前的审计日志 {count} 条",
                    changes={
                        "archived_rows": count,
                        "before": before.isoformat(),
                        "first_id": first_id,
                        "last_id": last_id,
                        "file": str(path.resolve()),
                        "sha256": digest,
                    },
                )
        except BaseException:
            # Nothing was deleted (the transaction rolled back): leave no file that looks like an archive.
            partial.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".sha256").unlink(missing_ok=True)
            raise
        self.stdout.write(f"已归档 {count} 条审计日志（编号 {first_id}–{last_id}）：{path}")
        self.stdout.write(f"SHA-256 {digest}（校验：sha256sum -c {path.name}.sha256）")

    def _archive(self, cutoff: dt.datetime, partial: Path, path: Path) -> tuple[int, int, int]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # One archive at a time.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('zhanwu.audit_archive'))")
        rows = AuditLog.objects.filter(at__lt=cutoff).order_by("id").values(*FIELDS)
        count, first_id, last_id = 0, 0, 0
        # Readable by the operator only: audit rows name people, addresses and what changed.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                for row in rows.iterator(chunk_size=2000):
                    gz.write(_line(row))
                    count += 1
                    first_id = first_id or row["id"]
                    last_id = row["id"]
            raw.flush()
            os.fsync(raw.fileno())
        if count == 0:
            partial.unlink()
            return 0, 0, 0
        partial.rename(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n", encoding="ascii")
        return count, first_id, last_id

    def _delete(self, cutoff: dt.datetime, last_id: int, count: int) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('zhanwu.audit_archive', 'on', true)")
            cursor.execute(
                f"DELETE FROM {AuditLog._meta.db_table} WHERE at < %s AND id <= %s",  # noqa: S608 - table name from the model
                [cutoff, last_id],
            )
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('zhanwu.audit_archive', 'off', true)")
        if deleted != count:
            raise CommandError(f"删除的行数（{deleted}）与写入文件的行数（{count}）不一致，已全部撤销。")
