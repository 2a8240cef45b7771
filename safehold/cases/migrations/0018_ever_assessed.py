"""The MARAC page's latest assessments are read from the open cases ever assessed
(issue 19): an index of just those."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_risk_dates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open"), ("last_assessed_at__isnull", False)),
                fields=["last_assessed_at", "id"],
                name="case_open_ever_assessed",
            ),
        ),
    ]
