"""Encryption at rest: AES-256-GCM under a data key per case, data keys wrapped by the
master key (never stored in the database), and keyed blind indexes for exact matches.

Every ciphertext is bound by its associated data to the table, column and row it was
written for, so a value copied into another row or column fails to decrypt."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from safehold.prepared import Prepared
from safehold.privacy.models import WrappedKey

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32
DATA_KEY = "data"
INDEX_KEY = "blind-index"
INDEX_KEY_ID = "blind-index-v1"
TWO_FACTOR_KEY = "two-factor"
TWO_FACTOR_KEY_ID = "two-factor-v1"


class KeyDestroyed(Exception):
    """The data key was destroyed: what it protected is gone for good."""


class DecryptionFailed(Exception):
    """The value was altered, moved, or encrypted under another key."""


def parse_master_key(text: str) -> bytes:
    """64 hex characters, or 32 bytes in URL-safe base64."""
    candidates = []
    with contextlib.suppress(ValueError):
        candidates.append(bytes.fromhex(text))
    with contextlib.suppress(binascii.Error, ValueError):
        candidates.append(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    for key in candidates:
        if len(key) == KEY_BYTES:
            return key
    raise ImproperlyConfigured(
        "SAFEHOLD_MASTER_KEY must be 32 bytes: 64 hex characters or URL-safe base64"
    )


def master_key() -> bytes:
    return parse_master_key(settings.SAFEHOLD_MASTER_KEY)


def key_id(master: bytes) -> str:
    return hashlib.sha256(b"safehold master key id\n" + master).hexdigest()[:16]


def wrap(master: bytes, key: bytes, *, wrapped_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    aad = f"safehold:key:{wrapped_id}".encode()
    return FORMAT_VERSION + nonce + AESGCM(master).encrypt(nonce, key, aad)


def unwrap(master: bytes, blob: bytes, *, wrapped_id: str) -> bytes:
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    aad = f"safehold:key:{wrapped_id}".encode()
    try:
        return AESGCM(master).decrypt(nonce, sealed, aad)
    except InvalidTag as error:
        raise DecryptionFailed(f"key {wrapped_id} does not open with this master key") from error


def data_key_create() -> WrappedKey:
    """A new random data key, stored only in wrapped form."""
    master = master_key()
    wrapped_id = "dk_" + secrets.token_hex(16)
    return WrappedKey.objects.create(
        id=wrapped_id,
        purpose=DATA_KEY,
        master_key_id=key_id(master),
        wrapped=wrap(master, AESGCM.generate_key(bit_length=256), wrapped_id=wrapped_id),
    )


def open_key(wrapped: WrappedKey) -> bytes:
    if wrapped.destroyed_at is not None:
        raise KeyDestroyed(f"key {wrapped.id} was destroyed")
    return _open_key_cached(wrapped.id, bytes(wrapped.wrapped), master_key())


@lru_cache(maxsize=4096)
def _open_key_cached(wrapped_id: str, blob: bytes, master: bytes) -> bytes:
    return unwrap(master, blob, wrapped_id=wrapped_id)


def data_key_destroy(*, wrapped: WrappedKey) -> None:
    """Crypto-shredding: with the key gone, every value under it is unreadable."""
    wrapped.wrapped = b""
    wrapped.destroyed_at = timezone.now()
    wrapped.save(update_fields=["wrapped", "destroyed_at"])
    _open_key_cached.cache_clear()


def associated_data(table: str, column: str, row_id: str) -> bytes:
    return f"{table}\x1f{column}\x1f{row_id}".encode()


def encrypt(key: bytes, plaintext: str, *, table: str, column: str, row_id: str) -> bytes:
    return encrypt_bytes(key, plaintext.encode("utf-8"), table=table, column=column, row_id=row_id)


def decrypt(key: bytes, blob: bytes, *, table: str, column: str, row_id: str) -> str:
    plain = decrypt_bytes(key, blob, table=table, column=column, row_id=row_id)
    return plain.decode("utf-8")


def encrypt_bytes(key: bytes, plain: bytes, *, table: str, column: str, row_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plain, associated_data(table, column, row_id))
    return FORMAT_VERSION + nonce + sealed


def decrypt_bytes(key: bytes, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
    blob = bytes(blob)
    if blob[:1] != FORMAT_VERSION:
        raise DecryptionFailed(f"{table}.{column} of {row_id}: unknown format")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, associated_data(table, column, row_id))
    except InvalidTag as error:
        raise DecryptionFailed(f"{table}.{column} of {row_id} does not decrypt") from error


# Read on every search and three times in every intake: compiled once (prepared.py).
KEY_ROW = Prepared(lambda key_id: WrappedKey.objects.filter(pk=key_id)[:1], values={"key_id": str})


def index_key() -> bytes:
    """The shared key for blind indexes, made on first use and wrapped like data keys."""
    return shared_key(INDEX_KEY_ID, purpose=INDEX_KEY)


def two_factor_key() -> bytes:
    """The shared key that seals two-factor seeds (accounts/authenticators.py)."""
    return shared_key(TWO_FACTOR_KEY_ID, purpose=TWO_FACTOR_KEY)


def shared_key(wrapped_id: str, *, purpose: str) -> bytes:
    """A key shared by every case, made on first use and wrapped like data keys, so
    that rotating the master key re-wraps it with the rest."""
    found = KEY_ROW.first(key_id=wrapped_id)
    if found is None:
        master = master_key()
        try:
            with transaction.atomic():
                found = WrappedKey.objects.create(
                    id=wrapped_id,
                    purpose=purpose,
                    master_key_id=key_id(master),
                    wrapped=wrap(master, secrets.token_bytes(KEY_BYTES), wrapped_id=wrapped_id),
                )
        except IntegrityError:  # another process made it first
            found = WrappedKey.objects.get(pk=wrapped_id)
    return open_key(found)


def blind_index(purpose: str, normalised: str) -> str:
    """A keyed hash for exact-match search: equal inputs give equal indexes, and the
    index reveals nothing without the key."""
    message = f"{purpose}\x1f{normalised}".encode()
    return hmac.new(index_key(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def rotate(*, old_master: bytes, new_master: bytes) -> int:
    """Re-wraps every key under a new master key; the data itself is not touched.
    Returns how many keys were re-wrapped."""
    new_id, count = key_id(new_master), 0
    for wrapped in WrappedKey.objects.select_for_update().filter(destroyed_at__isnull=True):
        key = unwrap(old_master, bytes(wrapped.wrapped), wrapped_id=wrapped.id)
        wrapped.wrapped = wrap(new_master, key, wrapped_id=wrapped.id)
        wrapped.master_key_id = new_id
        wrapped.save(update_fields=["wrapped", "master_key_id"])
        count += 1
    _open_key_cached.cache_clear()
    return count
