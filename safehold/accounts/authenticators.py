"""Two-factor seeds sealed under a key the database does not hold.

django-otp keeps an authenticator's seed (`TOTPDevice.key`) as hex, in clear: whoever
reads the database, or a backup of it, could make every account's codes. Safehold's
authenticators (`models.Authenticator`, a proxy of django-otp's TOTPDevice, so its table,
its throttle and its code checks stay django-otp's own) keep in that column only the
seed sealed with AES-256-GCM under the two-factor key, a random key wrapped by the
master key like the blind-index key (privacy/vault.py), so rotating the master key
re-wraps it with the rest. The seal is bound to the account the authenticator belongs
to: a sealed seed copied onto another account's authenticator does not open, so no one
who can write the database can plant a seed they know. django-otp reads the seed only
through `bin_key`, which the proxy opens here; a seed that is not sealed is refused."""

from __future__ import annotations

import base64
import binascii
import logging
import os

from safehold.privacy import vault

logger = logging.getLogger(__name__)

SEALED_PREFIX = "sealed1:"
SEED_BYTES = 20  # django-otp's default: 160 bits, as RFC 4226 recommends


class SeedNotSealed(Exception):
    """The authenticator's seed is not sealed: written around Safehold, or before it
    sealed seeds and not migrated."""


def seed_place(staff_id: int) -> dict[str, str]:
    return {"table": "otp_totp_totpdevice", "column": "key", "row_id": f"staff:{staff_id}"}


def seed_seal(seed: bytes, *, staff_id: int) -> str:
    """The seed as the `key` column keeps it: 75 characters, within django-otp's 80."""
    sealed = vault.encrypt_bytes(vault.two_factor_key(), seed, **seed_place(staff_id))
    return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")


def seed_open(stored: str, *, staff_id: int) -> bytes:
    """The seed, for django-otp; DecryptionFailed when it was sealed for another account
    or under another key, SeedNotSealed when it is not sealed at all."""
    if not stored.startswith(SEALED_PREFIX):
        raise SeedNotSealed(f"the authenticator of staff {staff_id} has no sealed seed")
    text = stored[len(SEALED_PREFIX) :]
    try:
        sealed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise vault.DecryptionFailed(f"the seed of staff {staff_id} is not readable") from error
    return vault.decrypt_bytes(vault.two_factor_key(), sealed, **seed_place(staff_id))


def seed_opens(stored: str, *, staff_id: int) -> bool:
    """Whether the seed opens; when it does not, a warning says whose it was."""
    try:
        seed_open(stored, staff_id=staff_id)
    except (SeedNotSealed, vault.DecryptionFailed) as error:
        logger.warning("two-factor seed refused: %s", error)
        return False
    return True


def new_sealed_seed(*, staff_id: int) -> str:
    return seed_seal(os.urandom(SEED_BYTES), staff_id=staff_id)


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)
