"""Keep the statistical tables narrow on PostgreSQL: the encrypted `sealed` documents of
cases and people are stored out of line (TOAST), so the monitoring figures, which read
only the statistical columns, scan a few small pages per row instead of the documents
too (docs/performance.md). Rows written before this migration keep their layout until
they are next updated, or until `VACUUM FULL cases_case, cases_person`."""

from django.db import migrations

NARROW = [
    "ALTER TABLE {table} SET (toast_tuple_target = 128)",
    "ALTER TABLE {table} ALTER COLUMN sealed SET STORAGE EXTERNAL",
]
WIDE = [
    "ALTER TABLE {table} RESET (toast_tuple_target)",
    "ALTER TABLE {table} ALTER COLUMN sealed SET STORAGE EXTENDED",
]
TABLES = ("cases_case", "cases_person")


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite has no out-of-line storage to choose
        for table in TABLES:
            for statement in statements:
                schema_editor.execute(statement.format(table=table))

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_statistics_for_monitoring")]

    operations = [migrations.RunPython(run(NARROW), run(WIDE))]
