"""Issue 17 §9, identity is compared as people write it: every stored blind index of a
name is computed again with the names normalised as `safehold.cases.sealing`
now does (NFKC, format characters such as zero-width spaces removed, case folded,
accents dropped, apostrophes, hyphens and spaces of every kind made one).

- `cases_person.name_index` of each survivor and alleged perpetrator, from the name
  sealed on the row (decrypted under its case's data key);
- `cases_survivoridentity.identity_index`, from the name and date of birth sealed on
  the survivor's row of one of its cases: the row the index was first made from (the
  one whose name gives the old index), or her earliest;
- survivor identities that now have the same index are the same person: her cases
  and rows move to the oldest identity and the others are deleted, so she is counted
  once and a later report of hers is a repeat.

Rows of erased cases (data key destroyed, indexes already "") are left as they are, as
is a row that does not decrypt (its old index keeps working for the name as typed).
Needs the master key when there is anything to compute, as `safehold init` always has
it; a new database has nothing to compute. The rules are frozen here: a later change to
`normalised_name` needs its own migration. Going back computes the old rule's indexes;
identities merged stay merged (they are the same person under either rule).

In the privacy app so that no app's own numbering is taken (engineer C's cases 0010);
it runs after the latest migrations of the tables it reads and writes."""

import hashlib
import hmac
import unicodedata

from django.db import migrations

INDEX_KEY_ID = "blind-index-v1"
SURVIVOR = "survivor"
PERPETRATOR = "alleged_perpetrator"
PURPOSE = {SURVIVOR: "survivor-name", PERPETRATOR: "perpetrator-name"}
BATCH = 1000

SPELLED_OUT = str.maketrans(
    {
        "ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th",
        "\u0131": "i", "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
        "`": "'", "\u00b4": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip


def new_rule(name):
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.casefold().translate(SPELLED_OUT)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def old_rule(name):
    return " ".join(name.split()).casefold()


class Indexes:
    def __init__(self, apps, rule):
        from safehold.privacy import vault

        self.vault = vault
        self.rule = rule
        self.keys = apps.get_model("privacy", "WrappedKey")
        self.master = None
        self.index_key = None
        self.data_keys = {}

    def ready(self):
        """False when there is no blind-index key, so no index was ever made."""
        row = self.keys.objects.filter(pk=INDEX_KEY_ID).first()
        if row is None:
            return False
        self.master = self.vault.master_key()
        self.index_key = self.vault.unwrap(self.master, bytes(row.wrapped), wrapped_id=row.id)
        return True

    def blind(self, purpose, normalised):
        message = f"{purpose}\x1f{normalised}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()

    def name(self, role, name, rule=None):
        normalised = (rule or self.rule)(name)
        return self.blind(PURPOSE[role], normalised) if normalised else ""

    def identity(self, name, born, rule=None):
        normalised = (rule or self.rule)(name)
        if not normalised or not born:
            return ""
        return self.blind("survivor-identity", f"{normalised}|{born}")

    def details(self, person, wrapped_key_id):
        """The person's sealed details, or None when they cannot be read."""
        import json

        key = self.data_key(wrapped_key_id)
        if key is None:
            return None
        try:
            plain = self.vault.decrypt(
                key, bytes(person.sealed), table="cases_person", column="sealed", row_id=person.pk
            )
        except self.vault.DecryptionFailed:
            return None
        return json.loads(plain)

    def data_key(self, wrapped_key_id):
        if wrapped_key_id not in self.data_keys:
            row = self.keys.objects.filter(pk=wrapped_key_id).first()
            key = None
            if row is not None and row.destroyed_at is None and row.wrapped:
                try:
                    key = self.vault.unwrap(self.master, bytes(row.wrapped), wrapped_id=row.id)
                except self.vault.DecryptionFailed:
                    key = None
            self.data_keys[wrapped_key_id] = key
        return self.data_keys[wrapped_key_id]


def recomputed(apps, rule, earlier_rule):
    indexes = Indexes(apps, rule)
    if not indexes.ready():
        return
    people = apps.get_model("cases", "Person")
    identities = apps.get_model("cases", "SurvivorIdentity")
    cases = apps.get_model("cases", "Case")
    stored = dict(identities.objects.exclude(identity_index="").values_list("id", "identity_index"))
    chosen = {}  # identity id -> its new index: from the row that made it, else the earliest
    changed = []
    named = (
        people.objects.filter(role__in=[SURVIVOR, PERPETRATOR])
        .exclude(name_index="")
        .select_related("case")
        .only("id", "role", "name_index", "sealed", "survivor_identity_id", "case__data_key")
        .order_by("case_reported_at", "id")
    )
    for person in named.iterator(chunk_size=BATCH):
        details = indexes.details(person, person.case.data_key_id)
        if details is None:
            continue
        name = details.get("name", "")
        index = indexes.name(person.role, name)
        if index != person.name_index:
            person.name_index = index
            changed.append(person)
            if len(changed) >= BATCH:
                people.objects.bulk_update(changed, ["name_index"])
                changed = []
        identity_id = person.survivor_identity_id
        if person.role != SURVIVOR or identity_id not in stored:
            continue
        born = details.get("date_of_birth", "")
        first_made = indexes.identity(name, born, earlier_rule) == stored[identity_id]
        if identity_id not in chosen or first_made and not chosen[identity_id][1]:
            chosen[identity_id] = (indexes.identity(name, born), first_made)
    if changed:
        people.objects.bulk_update(changed, ["name_index"])

    kept_for = {}  # new index -> the oldest identity with it
    for identity in identities.objects.filter(pk__in=chosen).order_by("created_at", "id"):
        index = chosen[identity.pk][0]
        keeper = kept_for.setdefault(index, identity.pk) if index else identity.pk
        if keeper != identity.pk:
            cases.objects.filter(survivor_identity_id=identity.pk).update(survivor_identity_id=keeper)
            people.objects.filter(survivor_identity_id=identity.pk).update(
                survivor_identity_id=keeper
            )
            identity.delete()
        elif identity.identity_index != index:
            identities.objects.filter(pk=identity.pk).update(identity_index=index)


def names_renormalised(apps, schema_editor):
    recomputed(apps, new_rule, old_rule)


def names_as_before(apps, schema_editor):
    recomputed(apps, old_rule, new_rule)


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0002_audit_seals_and_checkpoints"),
        ("cases", "0009_same_sex_answer_minimum_age_severity"),  # persons, identities, cases
    ]

    operations = [
        migrations.RunPython(names_renormalised, names_as_before),
    ]
