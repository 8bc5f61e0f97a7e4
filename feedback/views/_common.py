"""Helpers shared by the feedback pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from core.exceptions import DomainError

PAGE_SIZE = 20


def refused(request: HttpRequest, exc: DomainError) -> None:
    """A service said no (a guard, a role, a state): the page shows why instead of failing."""
    messages.error(request, exc.message)
