"""The alliance's part of a reader's personal data: trial invitations and responses (stakeholders.privacy)."""

from __future__ import annotations

from typing import Any

from stakeholders.access import Actor
from stakeholders.models import ReaderProfile

from .models import TrialInvitation, TrialResponse


def export_reader(profile: ReaderProfile) -> dict[str, Any]:
    responses = TrialResponse.objects.filter(reader=profile).select_related("trial").order_by("created_at", "id")
    invitations = TrialInvitation.objects.filter(reader=profile).order_by("created_at", "id")
    return {
        "trial_invitations": [{"trial": i.trial_id, "created_at": i.created_at.isoformat()} for i in invitations],
        "trial_responses": [
            {
                "trial": r.trial_id,
                "satisfaction": r.satisfaction,
                "comment": r.comment,
                "created_at": r.created_at.isoformat(),
            }
            for r in responses
        ],
    }


def erase_reader(profile: ReaderProfile, actor: Actor) -> dict[str, int]:
    """Scores stay (the trial's result must not change); the reader's own words go."""
    return {"trial_responses": TrialResponse.objects.filter(reader=profile).exclude(comment="").update(comment="")}
