"""Every case carries its next review date from intake (issue 19): a case not yet
reviewed gets the date it was already due by, the report plus the policy's interval
(`clock.next_review_due_at`, as `selectors.next_review_due_at` read it before), so no
queue changes its answer. A review sets the next one, as before."""

from django.db import migrations


def first_review_dates(apps, schema_editor):
    from safehold.policy import clock
    from safehold.policy.loader import active_policy

    Case = apps.get_model("cases", "Case")
    waiting = Case.objects.filter(next_review_at__isnull=True)
    if not waiting.exists():
        return  # a new database: no policy needs reading
    policy = active_policy()
    for case in waiting.only("pk", "reported_at", "last_review_at").iterator(chunk_size=2000):
        last = case.last_review_at or case.reported_at
        Case.objects.filter(pk=case.pk).update(
            next_review_at=clock.next_review_due_at(policy, last)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_next_review_date"),
    ]

    operations = [
        migrations.RunPython(first_review_dates, migrations.RunPython.noop, elidable=True),
    ]
