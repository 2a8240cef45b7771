"""Encrypting a file's bytes: AES-256-GCM under the case's data key, in the vault's
format (version, nonce, ciphertext and tag), with associated data naming the table,
the column and the row, so content copied into another row does not decrypt."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safehold.privacy import vault
from safehold.privacy.models import WrappedKey

TABLE = "evidence_evidence"
COLUMN = "content"


def encrypt_content(data_key: WrappedKey, content: bytes, *, row_id: str) -> bytes:
    nonce = os.urandom(vault.NONCE_BYTES)
    aad = vault.associated_data(TABLE, COLUMN, row_id)
    return (
        vault.FORMAT_VERSION + nonce + AESGCM(vault.open_key(data_key)).encrypt(nonce, content, aad)
    )


def decrypt_content(data_key: WrappedKey, blob: bytes | memoryview, *, row_id: str) -> bytes:
    blob = bytes(blob)
    if blob[:1] != vault.FORMAT_VERSION:
        raise vault.DecryptionFailed(f"{TABLE}.{COLUMN} of {row_id}: unknown format")
    nonce, sealed = blob[1 : 1 + vault.NONCE_BYTES], blob[1 + vault.NONCE_BYTES :]
    aad = vault.associated_data(TABLE, COLUMN, row_id)
    try:
        return AESGCM(vault.open_key(data_key)).decrypt(nonce, sealed, aad)
    except InvalidTag as error:
        raise vault.DecryptionFailed(f"{TABLE}.{COLUMN} of {row_id} does not decrypt") from error
