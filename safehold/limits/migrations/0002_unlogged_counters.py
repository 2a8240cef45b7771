"""The rate-limit counters write no WAL on PostgreSQL (safehold/limits/counters.py): a
count's commit never waits for the disk, and after a crash the table starts empty."""

from typing import Any

from django.db import migrations


def unlogged(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE limits_counter SET UNLOGGED")


def logged(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE limits_counter SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("limits", "0001_initial")]

    operations = [migrations.RunPython(unlogged, logged)]
