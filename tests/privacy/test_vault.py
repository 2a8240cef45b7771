"""The vault: values bound to their place, keys wrapped, destroyed keys erase."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from safehold.privacy import vault
from safehold.privacy.models import WrappedKey

pytestmark = pytest.mark.django_db
PLACE = {"table": "cases_person", "column": "name", "row_id": "per_1"}


def test_a_value_round_trips() -> None:
    key = vault.open_key(vault.data_key_create())
    blob = vault.encrypt(key, "Jane <script>alert(1)</script> Doe", **PLACE)
    assert b"Jane" not in blob
    assert vault.decrypt(key, blob, **PLACE) == "Jane <script>alert(1)</script> Doe"


def test_the_same_value_encrypts_differently_each_time() -> None:
    key = vault.open_key(vault.data_key_create())
    assert vault.encrypt(key, "Jane", **PLACE) != vault.encrypt(key, "Jane", **PLACE)


@pytest.mark.parametrize("moved", [{"row_id": "per_2"}, {"column": "address"}, {"table": "x"}])
def test_a_value_moved_to_another_place_does_not_decrypt(moved: dict[str, str]) -> None:
    key = vault.open_key(vault.data_key_create())
    blob = vault.encrypt(key, "Jane", **PLACE)
    with pytest.raises(vault.DecryptionFailed):
        vault.decrypt(key, blob, **{**PLACE, **moved})


def test_an_altered_value_does_not_decrypt() -> None:
    key = vault.open_key(vault.data_key_create())
    blob = bytearray(vault.encrypt(key, "Jane", **PLACE))
    blob[-1] ^= 1
    with pytest.raises(vault.DecryptionFailed):
        vault.decrypt(key, bytes(blob), **PLACE)


def test_data_keys_are_stored_wrapped() -> None:
    wrapped = vault.data_key_create()
    key = vault.open_key(wrapped)
    assert key not in bytes(WrappedKey.objects.get(pk=wrapped.pk).wrapped)
    assert wrapped.master_key_id == vault.key_id(vault.master_key())


def test_a_destroyed_key_erases_what_it_protected() -> None:
    wrapped = vault.data_key_create()
    blob = vault.encrypt(vault.open_key(wrapped), "Jane", **PLACE)
    vault.data_key_destroy(wrapped=wrapped)
    wrapped.refresh_from_db()
    assert bytes(wrapped.wrapped) == b""
    with pytest.raises(vault.KeyDestroyed):
        vault.open_key(wrapped)
    assert blob  # the ciphertext remains, unreadable


def test_rotation_rewraps_keys_without_touching_data(settings) -> None:
    wrapped = vault.data_key_create()
    blob = vault.encrypt(vault.open_key(wrapped), "Jane", **PLACE)
    index_before = vault.blind_index("survivor", "jane doe")
    old, new = vault.master_key(), bytes(range(32))

    assert vault.rotate(old_master=old, new_master=new) == 2  # the data key and the index key
    settings.SAFEHOLD_MASTER_KEY = new.hex()
    wrapped.refresh_from_db()
    assert wrapped.master_key_id == vault.key_id(new)
    assert vault.decrypt(vault.open_key(wrapped), blob, **PLACE) == "Jane"
    assert vault.blind_index("survivor", "jane doe") == index_before

    settings.SAFEHOLD_MASTER_KEY = old.hex()
    with pytest.raises(vault.DecryptionFailed):
        vault.open_key(wrapped)


def test_blind_indexes_match_equal_values_only() -> None:
    one = vault.blind_index("survivor", "jane doe|1990-01-01")
    assert one == vault.blind_index("survivor", "jane doe|1990-01-01")
    assert one != vault.blind_index("survivor", "jane doe|1990-01-02")
    assert one != vault.blind_index("reference", "jane doe|1990-01-01")
    assert "jane" not in one


@pytest.mark.parametrize("text", ["", "short", "zz" * 32, "ab" * 31])
def test_a_malformed_master_key_is_refused(text: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        vault.parse_master_key(text)


def test_hex_and_base64_master_keys_are_accepted() -> None:
    import base64

    raw = bytes(range(32))
    assert vault.parse_master_key(raw.hex()) == raw
    assert vault.parse_master_key(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
