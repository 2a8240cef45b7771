"""The clear break-glass reason column goes, now that 0011 has sealed every reason (in its
own transaction, for PostgreSQL)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_break_glass_reasons_sealed"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="breakglass",
            name="reason",
        ),
    ]
