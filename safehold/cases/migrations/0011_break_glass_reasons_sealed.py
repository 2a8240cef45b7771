# ruff: noqa: E501
"""Cases 0010's data move, in its own transaction: each break-glass reason given before
moves into the sealed column under its case's data key, and alerts lose the reason they
carried in clear (and, on a restricted case, its reference)."""

import json

from django.db import migrations
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
        ("cases", "0010_break_glass_requests_sealed_reasons"),
    ]

    operations = [
        migrations.RunPython(seal_reasons, unseal_reasons),
    ]
