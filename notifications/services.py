"""Notification intents. (Interim: issue 3 replaces this with the transactional outbox.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction


def notify(
    *,
    recipients: Iterable[Any],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> list[Any]:
    return []


def notify_address(*, address: str, subject: str, body: str, event: str) -> None:
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
