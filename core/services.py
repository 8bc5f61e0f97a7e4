"""Writes to a person's own account settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from core.exceptions import DomainError


@transaction.atomic
def user_set_language(*, user: Any, language: str) -> None:
    """Remember the language a person chose, so e-mails and notifications reach them in it."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError("Unknown language.", fields={"language": ["Unknown language."]})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
