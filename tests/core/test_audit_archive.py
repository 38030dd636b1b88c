"""Audit retention (≥ 180 days, 网络安全法 art. 21) and `manage.py archive_audit` (core/management/commands),
against the PostgreSQL trigger of core/migrations/0002_audit_archive_trigger.py."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import AuditLog

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"),
]


def _insert(days_ago: int, repr_: str) -> int:
    """An audit row dated in the past (the model stamps ``at`` itself, and the trigger forbids UPDATE)."""
    changes = json.dumps({"name": {"before": "甲", "after": "乙"}})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditlog (at, username, event, object_type, object_id, object_repr, division_code,"
            " changes, success) VALUES (%s, 'old_user', 'update', 'stations.Station', '7', %s, '350425', %s, true)"
            " RETURNING id",
            [timezone.now() - dt.timedelta(days=days_ago), repr_, changes],
        )
        return cursor.fetchone()[0]


def _delete(pk: int, *, flag: bool) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if flag:
            cursor.execute("SET LOCAL zhanwu.audit_archive = 'on'")
        cursor.execute("DELETE FROM accounts_auditlog WHERE id = %s", [pk])


def _before(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def test_the_trigger_deletes_only_old_rows_and_only_with_the_archive_flag() -> None:
    old, young = _insert(400, "旧"), _insert(179, "新")
    with pytest.raises(DatabaseError, match="append-only"):
        _delete(old, flag=False)
    with pytest.raises(DatabaseError, match="append-only"):
        _delete(young, flag=True)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL zhanwu.audit_archive = 'on'")
        cursor.execute("UPDATE accounts_auditlog SET object_repr = 'x' WHERE id = %s", [old])
    assert AuditLog.objects.filter(pk__in=[old, young]).count() == 2
    _delete(old, flag=True)
    assert not AuditLog.objects.filter(pk=old).exists()
    assert AuditLog.objects.filter(pk=young).exists()


def test_archive_writes_then_removes_the_old_rows(tmp_path: Path) -> None:
    old = [_insert(400, "旧一"), _insert(200, "旧二")]
    young = [_insert(170, "新一"), _insert(0, "新二")]
    call_command("archive_audit", "--before", _before(181), "--to", str(tmp_path / "audit"))

    files = sorted((tmp_path / "audit").iterdir())
    archive, digest_file = files
    assert archive.name.startswith(f"audit-before-{_before(181)}-") and archive.name.endswith(".jsonl.gz")
    assert digest_file.name == archive.name + ".sha256"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert archive.stat().st_mode & 0o777 == 0o600
    assert digest_file.read_text() == f"{digest}  {archive.name}\n"

    rows = [json.loads(line) for line in gzip.decompress(archive.read_bytes()).decode().splitlines()]
    archived_ids = {r["id"] for r in rows}
    assert set(old) <= archived_ids
    assert not archived_ids & set(young)
    first = next(r for r in rows if r["id"] == old[0])
    assert first["object_repr"] == "旧一" and first["changes"] == {"name": {"before": "甲", "after": "乙"}}
    assert first["username"] == "old_user" and first["event"] == "update"

    assert not AuditLog.objects.filter(pk__in=archived_ids).exists()
    assert AuditLog.objects.filter(pk__in=young).count() == 2
    record = AuditLog.objects.filter(object_type="core.AuditLog", event="delete").latest("id")
    assert record.changes["archived_rows"] == len(rows)
    assert record.changes["sha256"] == digest and record.changes["file"] == str(archive.resolve())

    # The flag did not outlive the archive: the same transaction cannot delete old rows any more.
    another = _insert(400, "旧三")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditlog WHERE id = %s", [another])


@pytest.mark.parametrize("days", [0, 100, 179])
def test_archive_refuses_dates_inside_the_retention(tmp_path: Path, days: int) -> None:
    row = _insert(400, "旧")
    with pytest.raises(CommandError, match="至少保存 180 天"):
        call_command("archive_audit", "--before", _before(days), "--to", str(tmp_path))
    assert AuditLog.objects.filter(pk=row).exists()
    assert list(tmp_path.iterdir()) == []


def test_a_longer_retention_setting_is_held_too(tmp_path: Path, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    with pytest.raises(CommandError, match="至少保存 365 天"):
        call_command("archive_audit", "--before", _before(200), "--to", str(tmp_path))


def test_nothing_to_archive_writes_no_file(tmp_path: Path) -> None:
    call_command("archive_audit", "--before", "2001-01-01", "--to", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_a_bad_date_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("archive_audit", "--before", "2026/01/01", "--to", str(tmp_path))


def test_the_migration_reverses_to_the_strict_trigger() -> None:
    migration = importlib.import_module("core.migrations.0002_audit_archive_trigger")
    old = _insert(400, "旧")
    with connection.schema_editor() as editor:
        migration.reverse(None, editor)
    with pytest.raises(DatabaseError, match="append-only"):
        _delete(old, flag=True)
    with connection.schema_editor() as editor:
        migration.forward(None, editor)
    _delete(old, flag=True)
    assert not AuditLog.objects.filter(pk=old).exists()
