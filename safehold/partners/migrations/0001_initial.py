import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0014_next_review_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PartnerUpdate",
            fields=[
                ("id", models.CharField(max_length=32, primary_key=True, serialize=False)),
                (
                    "agency",
                    models.CharField(
                        help_text="The partner's agency, when they added it", max_length=60
                    ),
                ),
                ("sealed", models.BinaryField(help_text="Encrypted: the update's text")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partner_updates",
                        to="cases.case",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["case", "agency", "created_at"], name="partner_update")
                ],
            },
        ),
        migrations.CreateModel(
            name="RestrictedShare",
            fields=[
                ("id", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("agency", models.CharField(max_length=60)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for a DA lead"),
                            ("approved", "Approved"),
                            ("refused", "Refused"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "sealed",
                    models.BinaryField(
                        help_text="Encrypted: the reason asked, the decision's reason"
                    ),
                ),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="restricted_shares",
                        to="cases.case",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["case", "agency", "status"], name="restricted_share")
                ],
            },
        ),
    ]
