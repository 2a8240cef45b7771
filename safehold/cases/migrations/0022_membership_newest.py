"""Issue 19, the case list flat at a million: each case team membership keeps its case's
`reported_at` (which never changes once a case is recorded), and two indexes let a
person's case list read the cases naming them newest first and stop at a page
(cases/access.py `newest_in_reach`): the memberships by staff and date, the cases by
assigned officer and date.

Every membership made before is given its case's date in one UPDATE. Like the other
index migrations the indexes are not built CONCURRENTLY: at a million cases, seconds."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def dates_copied(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseTeamMember = apps.get_model("cases", "CaseTeamMember")
    reported = Case.objects.filter(pk=OuterRef("case_id")).values("reported_at")[:1]
    CaseTeamMember.objects.update(case_reported_at=Subquery(reported))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_search_pairs"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseteammember",
            name="case_reported_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(dates_copied, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="caseteammember",
            name="case_reported_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="caseteammember",
            index=models.Index(
                fields=["staff", "-case_reported_at", "-case"], name="membership_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["assigned_officer", "-reported_at", "-id"], name="case_officer_newest"
            ),
        ),
    ]
