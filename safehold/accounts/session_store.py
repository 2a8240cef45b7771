"""Web sessions in the database, found by a keyed hash of their key (SESSION_ENGINE).

Django's database backend stores each session under its key, the very value the
session cookie carries: whoever reads the table, or a backup, holds every live session,
enough to open a case page with no password and no code. This store keeps the same rows
under HMAC-SHA-256 of the key (salted_hmac, under SECRET_KEY), in `WebSession`: the
cookie is looked up by hashing what it carries, so a stored hash used as a cookie is
hashed again and finds nothing, and without SECRET_KEY no one can tell which cookie a row
belongs to. Everything else (expiry, rotation at sign-in, deletion at sign-out, the
session's data, signed as Django signs it) is Django's database backend unchanged.

The signed-cookie backend would store nothing on the server, but it puts the session's
data in the browser and cannot end a session from the server (sign-out elsewhere, an
account disabled): not used."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.crypto import salted_hmac

if TYPE_CHECKING:
    from safehold.accounts.models import WebSession

KEY_SALT = "safehold.accounts.session-store"


def key_hash(session_key: str) -> str:
    return salted_hmac(KEY_SALT, session_key, algorithm="sha256").hexdigest()


class SessionStore(DatabaseSessionStore["WebSession"]):
    @classmethod
    def get_model_class(cls) -> type[WebSession]:
        from safehold.accounts.models import WebSession

        return WebSession

    def _get_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        try:
            return self.model.objects.get(
                key_hash=key_hash(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            if isinstance(error, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
                logger.warning(str(error))
            self._session_key = None
            return None

    async def _aget_session_from_db(self) -> Any:
        return await sync_to_async(self._get_session_from_db)()

    def exists(self, session_key: str) -> bool:
        return bool(self.model.objects.filter(key_hash=key_hash(session_key)).exists())

    async def aexists(self, session_key: str) -> bool:
        return await sync_to_async(self.exists)(session_key)

    def create_model_instance(self, data: dict[str, Any]) -> WebSession:
        return self.model(
            key_hash=key_hash(self._get_or_create_session_key()),  # type: ignore[attr-defined]
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    async def acreate_model_instance(self, data: dict[str, Any]) -> WebSession:
        return await sync_to_async(self.create_model_instance)(data)

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if session_key is None:
            return
        self.model.objects.filter(key_hash=key_hash(session_key)).delete()

    async def adelete(self, session_key: str | None = None) -> None:
        await sync_to_async(self.delete)(session_key)
