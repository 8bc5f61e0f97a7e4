"""Notifications sent to a reader, part of their personal data (plugged into stakeholders.privacy)."""

from __future__ import annotations

from typing import Any

from stakeholders.access import Actor
from stakeholders.models import ReaderProfile

from .models import Notification


def export_reader(profile: ReaderProfile) -> dict[str, Any]:
    rows = Notification.objects.filter(recipient_id=profile.user_id).order_by("created_at", "id")
    return {
        "notifications": [
            {"event": n.event, "title": n.title, "body": n.body, "created_at": n.created_at.isoformat()} for n in rows
        ]
    }


def erase_reader(profile: ReaderProfile, actor: Actor) -> dict[str, int]:
    """The texts sent to the reader may quote them: blanked, the rows kept (counts and delivery stay true)."""
    return {"notifications": Notification.objects.filter(recipient_id=profile.user_id).update(body="", data={})}
