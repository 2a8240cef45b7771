"""Issue 18, "Find the survivor": the search tokens (`SearchToken`, safehold/cases/search.py),
and the tokens of every case already opened.

Each survivor's row is decrypted under its case's data key and her tokens computed as
`cases.search.survivor_tokens` computes them today, with her case's reference. Rows of
erased cases (data key destroyed) and rows that do not decrypt get no tokens. Needs the
master key when there is anything to index, as `safehold init` always has it; a new
database has nothing to index. The rules live in cases/search.py: a later change to them
needs its own migration to compute the tokens again. Going back drops the table.

On PostgreSQL the new table's foreign key is checked as each batch is written (not at
commit), so that creating its indexes after the rows are in finds no pending trigger
events."""

import json

import django.db.models.deletion
from django.db import migrations, models

INDEX_KEY_ID = "blind-index-v1"
SURVIVOR = "survivor"
BATCH = 1000


def tokens_made(apps, schema_editor):
    from safehold.cases import search
    from safehold.privacy import vault

    keys = apps.get_model("privacy", "WrappedKey")
    people = apps.get_model("cases", "Person")
    tokens = apps.get_model("cases", "SearchToken")
    index_row = keys.objects.filter(pk=INDEX_KEY_ID).first()
    if index_row is None or not people.objects.exists():
        return
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    master = vault.master_key()
    index_key = vault.unwrap(master, bytes(index_row.wrapped), wrapped_id=index_row.id)
    data_keys = {}

    def data_key(wrapped_id):
        if wrapped_id not in data_keys:
            row = keys.objects.filter(pk=wrapped_id).first()
            key = None
            if row is not None and row.destroyed_at is None and row.wrapped:
                try:
                    key = vault.unwrap(master, bytes(row.wrapped), wrapped_id=row.id)
                except vault.DecryptionFailed:
                    key = None
            data_keys[wrapped_id] = key
        return data_keys[wrapped_id]

    survivors = (
        people.objects.filter(role=SURVIVOR, case__erased_at__isnull=True)
        .select_related("case")
        .only("id", "sealed", "case__id", "case__reference", "case__data_key")
        .order_by("id")
    )
    batch = []
    for person in survivors.iterator(chunk_size=BATCH):
        key = data_key(person.case.data_key_id)
        if key is None:
            continue
        try:
            plain = vault.decrypt(
                key, bytes(person.sealed), table="cases_person", column="sealed", row_id=person.pk
            )
        except vault.DecryptionFailed:
            continue
        details = json.loads(plain)
        for token in search.survivor_tokens(index_key, details, person.case.reference):
            batch.append(
                tokens(case_id=person.case_id, role=SURVIVOR, kind=token.kind, digest=token.digest)
            )
        if len(batch) >= BATCH:
            tokens.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        tokens.objects.bulk_create(batch, ignore_conflicts=True)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        # Reads only sealed details and keys: nothing privacy 0003 recomputed.
        ("cases", "0012_break_glass_reason_in_clear_removed"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("survivor", "Survivor"),
                            ("alleged_perpetrator", "Alleged perpetrator"),
                            ("child", "Child"),
                            ("household_member", "Other household member"),
                            ("witness", "Witness"),
                        ],
                        max_length=20,
                    ),
                ),
                ("kind", models.CharField(max_length=10)),
                ("digest", models.CharField(max_length=64)),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_tokens",
                        to="cases.case",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["digest", "role", "case"], name="search_token_digest")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "role", "digest"), name="one_token_per_case"
                    )
                ],
            },
        ),
        migrations.RunPython(tokens_made, migrations.RunPython.noop),
    ]
