# The audit trail moves to core (issue 6): state only, the table stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_fk_no_constraint"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="AuditLog")],
        ),
    ]
