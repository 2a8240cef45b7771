# ruff: noqa: E501
"""Break glass on a restricted case becomes a request a second person decides (status,
requested_at, decided_by, decided_at; granted_at and expires_at only once access starts),
and its reasons are sealed like every other free text of a case (issue 17 §5, §9).

Existing reasons move into the sealed column under their case's data key and the clear
column goes; an erased case's reason was already blanked. Existing alerts lose the reason
they carried in clear, and on a restricted case its reference too.
The data move is 0011 and the clear column's removal 0012, each in its own transaction:
PostgreSQL refuses to alter a table in the transaction that has just updated its rows
with deferred foreign keys ("pending trigger events")."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_same_sex_answer_minimum_age_severity"),
        ("privacy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="link",
            field=models.CharField(blank=True, help_text="A page of Safehold the alert points to, if any", max_length=200),
        ),
        migrations.AddField(
            model_name="breakglass",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="breakglass",
            name="decided_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="breakglass",
            name="requested_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="breakglass",
            name="sealed",
            field=models.BinaryField(default=b"", help_text="Encrypted: reason, decision_reason"),
        ),
        migrations.AddField(
            model_name="breakglass",
            name="status",
            field=models.CharField(choices=[("waiting", "Waiting for a decision"), ("granted", "Granted"), ("declined", "Declined")], default="granted", max_length=10),
        ),
        migrations.AlterField(
            model_name="breakglass",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="breakglass",
            name="granted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
