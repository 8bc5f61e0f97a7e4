"""The feedback app's part of a reader's personal data (plugged into stakeholders.privacy from apps.ready)."""

from __future__ import annotations

import secrets
from typing import Any

from stakeholders.access import Actor
from stakeholders.models import ReaderProfile

from .models import Feedback, FeedbackSupport, SurveyResponse


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_reader(profile: ReaderProfile) -> dict[str, Any]:
    feedback = Feedback.objects.filter(reader=profile).order_by("created_at", "id")
    supports = FeedbackSupport.objects.filter(reader=profile).order_by("created_at", "id")
    responses = (
        SurveyResponse.objects.filter(reader=profile)
        .select_related("survey")
        .prefetch_related("answers__question")
        .order_by("created_at", "id")
    )
    return {
        "feedback": [
            {
                "id": f.pk,
                "kind": f.kind,
                "text": f.text,
                "rating": f.rating,
                "subject": f.subject,
                "status": f.status,
                "is_public": f.is_public,
                "consent_contact": f.consent_contact,
                "has_attachment": bool(f.attachment),
                "answer": f.answer,
                "provider_answer": f.provider_answer,
                "created_at": _iso(f.created_at),
            }
            for f in feedback
        ],
        "supports": [{"feedback": s.feedback_id, "created_at": _iso(s.created_at)} for s in supports],
        "survey_responses": [
            {
                "survey": r.survey.title,
                "created_at": _iso(r.created_at),
                "answers": [
                    {"question": a.question.text, "rating": a.rating, "choice": a.choice, "text": a.text}
                    for a in r.answers.all()
                ],
            }
            for r in responses
        ],
    }


def erase_reader(profile: ReaderProfile, actor: Actor) -> dict[str, int]:
    """Feedback stays (anonymised): detached from the reader, no photo, no contact consent, not public.

    Survey responses are detached the same way (a random respondent key keeps "answered once" intact);
    supports keep pointing at the now nameless profile so the "me too" counts stay true.
    """
    feedback = 0
    for row in Feedback.objects.select_for_update(of=("self",)).filter(reader=profile):
        row.reader = None
        row.submitted_by = None
        row.consent_contact = False
        row.attachment = ""  # type: ignore[assignment]
        row.save()
        feedback += 1
    responses = 0
    for response in SurveyResponse.objects.select_for_update(of=("self",)).filter(reader=profile):
        response.reader = None
        response.respondent_key = f"erased:{secrets.token_hex(24)}"
        response.save()
        responses += 1
    return {"feedback": feedback, "survey_responses": responses}
