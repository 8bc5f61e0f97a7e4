"""Domain errors raised by services; the API and the UI turn them into 4xx answers with the message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain was broken by the request: answered as 400 with the message."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = fields or {}


class ConflictError(DomainError):
    """The object is not in a state that allows the change (409)."""

    status_code = 409
    code = "conflict"


class NotAllowed(DomainError):
    """The actor may see the object but not do this to it (403)."""

    status_code = 403
    code = "permission_denied"
