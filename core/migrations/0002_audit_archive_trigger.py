"""The append-only audit table lets exactly one thing delete: ``manage.py archive_audit``, which first writes
the rows to a compressed file and then, in the same transaction, sets the transaction-local flag
``zhanwu.audit_archive = 'on'``. Even then a row younger than 180 days (网络安全法 art. 21) is refused.
UPDATE stays refused for everyone, as before (accounts/migrations/0003_audit_append_only.py)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('zhanwu.audit_archive', true) = 'on'
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计日志只能追加 (audit log is append-only; only archive_audit removes rows older than 180 days)';
END;
$$ LANGUAGE plpgsql;
"""

# The function as accounts/migrations/0003_audit_append_only.py created it.
REVERSE = """
CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加 (audit log is append-only)';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("accounts", "0005_auditlog_moved_to_core"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
