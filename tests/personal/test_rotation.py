"""``rotate_data_keys``: every encrypted value sealed again under the current key, hashes recomputed, audited,
and a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from core.models import AuditLog
from core.personal import crypto
from tests.personal_app.models import Person

pytestmark = pytest.mark.django_db

NEW_KEY = "k2:" + "TlROTlROTlROTlROTlROTg=="
NEW_LOOKUP = "TExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTEw="


def key_ids() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone, address FROM {Person._meta.db_table}")  # noqa: S608
        return {crypto.key_id_of(v) for row in cursor.fetchall() for v in row if v}


def test_rotation_reencrypts_audits_and_is_idempotent(demo) -> None:  # type: ignore[no-untyped-def]
    before = {p.pk: (p.id_number, p.phone, p.address) for p in Person.objects.all()}
    someone = Person.objects.exclude(id_number="").first()
    assert key_ids() == {"dev1"}
    with override_settings(ZHANWU_DATA_KEYS=f"{NEW_KEY},{crypto.DEV_DATA_KEYS}", ZHANWU_LOOKUP_KEY=NEW_LOOKUP):
        out = io.StringIO()
        call_command("rotate_data_keys", "--batch-size", "3", stdout=out)
        assert f"已重写 {len(before)} 行" in out.getvalue()
        assert key_ids() == {"k2"}
        assert {p.pk: (p.id_number, p.phone, p.address) for p in Person.objects.all()} == before
        # Hashes were recomputed under the new lookup key.
        assert Person.objects.filter(Person.lookup_q("id_number", someone.id_number)).get() == someone
        row = AuditLog.objects.filter(object_type="personal_app.Person", username="系统：数据密钥轮换").get()
        assert row.changes["rows_rewritten"] == len(before)
        assert row.changes["old_key_ids"] == {"dev1": sum(1 for v in before.values() for x in v if x)}
        assert someone.id_number not in str(row.changes)
        # Second run: nothing to do, no new audit row.
        again = io.StringIO()
        call_command("rotate_data_keys", stdout=again)
        assert "已重写 0 行" in again.getvalue()
        assert AuditLog.objects.filter(object_type="personal_app.Person", username="系统：数据密钥轮换").count() == 1
    # With the old key alone, the rotated rows no longer open: the old key really is out of use.
    with pytest.raises(crypto.DecryptionError):
        list(Person.objects.all())


def test_dry_run_changes_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    with override_settings(ZHANWU_DATA_KEYS=f"{NEW_KEY},{crypto.DEV_DATA_KEYS}"):
        out = io.StringIO()
        call_command("rotate_data_keys", "--dry-run", stdout=out)
        assert "需重写" in out.getvalue()
        assert key_ids() == {"dev1"}


def test_generate_prints_fresh_keys() -> None:
    out = io.StringIO()
    call_command("rotate_data_keys", "--generate", "--key-id", "k9", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines() if "=" in line and not line.startswith("#"))
    ring = crypto.parse_keys(lines["ZHANWU_DATA_KEYS"], lines["ZHANWU_LOOKUP_KEY"])
    assert ring.current_id == "k9"


def test_a_missing_old_key_stops_with_a_clear_message(demo) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    with override_settings(ZHANWU_DATA_KEYS=NEW_KEY):  # the development key that sealed the rows is gone
        with pytest.raises(CommandError, match="ZHANWU_DATA_KEYS"):
            call_command("rotate_data_keys", stdout=io.StringIO())
