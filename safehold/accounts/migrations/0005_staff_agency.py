from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sealed_seeds_hashed_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="staff",
            name="agency",
            field=models.CharField(
                blank=True,
                help_text=(
                    "A partner's agency: an id of the policy's agencies directory; empty for staff"
                ),
                max_length=60,
            ),
        ),
        migrations.AlterField(
            model_name="staff",
            name="role",
            field=models.CharField(
                choices=[
                    ("officer", "Housing officer"),
                    ("manager", "Manager"),
                    ("director", "Director"),
                    ("da_lead", "Domestic abuse lead"),
                    ("auditor", "Auditor"),
                    ("admin", "Administrator"),
                    ("partner", "Partner at another agency"),
                ],
                max_length=20,
            ),
        ),
    ]
