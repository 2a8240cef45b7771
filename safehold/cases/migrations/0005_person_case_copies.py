"""People carry copies of their case's report time, team and (on the survivor's own row)
survivor identity, for the monitoring figures (docs/performance.md). Rows made before
this migration are filled from their case in one statement that SQLite and PostgreSQL
both run."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE cases_person SET
    case_reported_at = (SELECT reported_at FROM cases_case WHERE cases_case.id = cases_person.case_id),
    case_team_id = (SELECT team_id FROM cases_case WHERE cases_case.id = cases_person.case_id),
    survivor_identity_id = CASE WHEN role = 'survivor' THEN
        (SELECT survivor_identity_id FROM cases_case WHERE cases_case.id = cases_person.case_id)
    END
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0004_statistics_for_monitoring"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="case_reported_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="case_team",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.team",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="survivor_identity",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The survivor's identity, on her own row only",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.survivoridentity",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="person",
            name="case_reported_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="person",
            name="case_team",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.team",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["role", "case_reported_at"], name="person_role_reported"),
        ),
    ]
