"""Database sessions that ignore malformed session cookies instead of sending them to PostgreSQL.

Django's keys are 32 characters of [a-z0-9]; a forged cookie with a NUL byte would otherwise reach
the query and answer 500 (found by the API fuzzer). A malformed key is treated as no session.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_VALID_KEY = re.compile(r"^[a-z0-9]{8,64}$")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and bool(_VALID_KEY.match(key or ""))
