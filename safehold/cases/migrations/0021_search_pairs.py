"""Issue 19, search flat at a million: the `pair` tokens (two parts of a survivor's name,
safehold/cases/search.py "Pairs of name words") for every case opened before.

Computed as migration 0013 computed every token, by the same function
(`tokens_made`: each survivor's details decrypted under her case's data key, her tokens
as `cases.search.survivor_tokens` makes them today); the tokens she already has are
left as they are, so only her pairs are written. Needs the master key when there is
anything to index, as `safehold init` always has it. A provider's every survivor is
decrypted once: at a million cases, minutes. Going back deletes the pairs."""

import importlib

from django.db import migrations

SEARCH_TOKENS = importlib.import_module("safehold.cases.migrations.0013_search_tokens")
PAIR = "pair"


def pairs_deleted(apps, schema_editor):
    apps.get_model("cases", "SearchToken").objects.filter(kind=PAIR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_person_team_reported"),
    ]

    operations = [
        migrations.RunPython(SEARCH_TOKENS.tokens_made, pairs_deleted),
    ]
