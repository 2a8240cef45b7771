# ruff: noqa: E501
"""Break glass on a restricted case becomes a request a second person decides (status,
requested_at, decided_by, decided_at; granted_at and expires_at only once access starts),
and its reasons are sealed like every other free text of a case (issue 17 §5, §9).

Existing reasons move into the sealed column under their case's data key and the clear
column goes; an erased case's reason was already blanked. Existing alerts lose the reason
they carried in clear, and on a restricted case its reference too."""

import json

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

from safehold.privacy import vault

TABLE, COLUMN = "cases_breakglass", "sealed"


def seal_reasons(apps, schema_editor):
    BreakGlass = apps.get_model("cases", "BreakGlass")
    Alert = apps.get_model("cases", "Alert")
    BreakGlass.objects.update(requested_at=F("granted_at"))
    grants = BreakGlass.objects.exclude(reason="").select_related("case__data_key")
    for grant in grants.iterator():
        key = grant.case.data_key
        if key.destroyed_at is not None:
            continue
        plain = json.dumps({"reason": grant.reason}, ensure_ascii=False, sort_keys=True)
        grant.sealed = vault.encrypt(
            vault.open_key(key), plain, table=TABLE, column=COLUMN, row_id=str(grant.pk)
        )
        grant.save(update_fields=["sealed"])
    alerts = Alert.objects.filter(message__contains=" broke the glass on ", case__isnull=False)
    for alert in alerts.select_related("case").iterator():
        marker = f" broke the glass on {alert.case.reference}"
        head, found, _ = alert.message.partition(marker)
        if not found:
            continue
        where = " broke the glass on a restricted case." if alert.case.restricted else marker + "."
        alert.message = (head + where)[:300]
        alert.save(update_fields=["message"])


def unseal_reasons(apps, schema_editor):
    BreakGlass = apps.get_model("cases", "BreakGlass")
    BreakGlass.objects.filter(granted_at__isnull=True).delete()  # requests never granted
    grants = BreakGlass.objects.exclude(sealed=b"").select_related("case__data_key")
    for grant in grants.iterator():
        key = grant.case.data_key
        if key.destroyed_at is not None:
            continue
        plain = vault.decrypt(
            vault.open_key(key), bytes(grant.sealed), table=TABLE, column=COLUMN, row_id=str(grant.pk)
        )
        grant.reason = json.loads(plain).get("reason", "")
        grant.save(update_fields=["reason"])


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
        migrations.RunPython(seal_reasons, unseal_reasons),
        migrations.RemoveField(
            model_name="breakglass",
            name="reason",
        ),
    ]
