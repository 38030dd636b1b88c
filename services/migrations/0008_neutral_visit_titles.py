"""A visit's service record no longer carries the visited person's name in its title (上门探访): the person is
named only by the record's beneficiaries, which the scope rule hides from the roles that do not serve children."""

from django.db import migrations


def neutral_titles(apps, schema_editor):  # type: ignore[no-untyped-def]
    ServiceRecord = apps.get_model("services", "ServiceRecord")
    ServiceRecord.objects.filter(kind="visit", visit__isnull=False).update(title="上门探访")


class Migration(migrations.Migration):
    dependencies = [("services", "0007_service_photos")]

    operations = [migrations.RunPython(neutral_titles, migrations.RunPython.noop)]
