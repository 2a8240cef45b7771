"""When a case was last assessed and last had a further report, kept on the case by
risk.services and cases.services for the risk page's lists (issue 19), filled here for
older cases from their assessments and further reports, in one statement each."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def dates_filled(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Incident = apps.get_model("cases", "Incident")
    RiskAssessment = apps.get_model("risk", "RiskAssessment")
    assessed = RiskAssessment.objects.filter(case=OuterRef("pk"), status="complete")
    incidents = Incident.objects.filter(case=OuterRef("pk"))
    Case.objects.filter(Exists(assessed)).update(
        last_assessed_at=Subquery(assessed.order_by("-completed_at").values("completed_at")[:1])
    )
    Case.objects.filter(Exists(incidents)).update(
        last_incident_at=Subquery(incidents.order_by("-created_at").values("created_at")[:1])
    )


class Migration(migrations.Migration):
    # The case's own columns; the risk assessments only to fill them for older cases.
    dependencies = [
        ("cases", "0016_next_due"),
        ("risk", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="last_assessed_at",
            field=models.DateTimeField(
                blank=True, help_text="When its latest risk assessment was completed", null=True
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="last_incident_at",
            field=models.DateTimeField(
                blank=True, help_text="When its latest further report was recorded", null=True
            ),
        ),
        migrations.RunPython(dates_filled, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["risk_level", "reported_at", "id"],
                name="case_open_risk",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["risk_level", "last_assessed_at", "id"],
                name="case_open_assessed",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open"), ("last_incident_at__isnull", False)),
                fields=["reported_at", "id"],
                name="case_open_further_report",
            ),
        ),
    ]
