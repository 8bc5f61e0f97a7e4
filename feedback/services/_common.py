"""Checks shared by the feedback services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.exceptions import DomainError, NotAllowed
from stakeholders.access import Actor


def full_clean(obj: Any, exclude: list[str] | None = None, *, validate_constraints: bool = True) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        raise DomainError("; ".join(exc.messages), fields=fields) from exc


def require_staff(actor: Actor, library_id: int) -> None:
    if not actor.writes_for(library_id):
        raise NotAllowed(_("Only the library's staff may do this."))


def require_manager(actor: Actor, library_id: int) -> None:
    if not actor.manages(library_id):
        raise NotAllowed(_("Only the library's managers may do this."))


def clean_text(value: str | None, field: str, *, required: bool = True) -> str:
    """Text is kept exactly as given (escaping happens on output), but blank text is no text."""
    text = value or ""
    if required and not text.strip():
        raise DomainError(_("Write something."), code="required", fields={field: [_("This field is required.")]})
    return text


def clean_rating(value: int | None, field: str = "rating") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise DomainError(_("A rating is a whole number from 1 to 5."), fields={field: [_("1–5")]})
    return value
