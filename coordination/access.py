"""Who may see a meeting, kept in django-guardian object permissions like alliance.access.

The organiser's group holds view and change; each invited organisation's group, and each person invited by
name, holds view. A meeting open to the whole alliance is also seen by whoever sees the alliance — that
part is a filter on the alliance (selectors.visible_meetings), so members who join later see it too.
"""

from __future__ import annotations

from typing import Any

from core.permissions import grant
from stakeholders.models import Organization

from .models import Meeting

VIEW_MEETING = "view_meeting"
CHANGE_MEETING = "change_meeting"


def grant_organizer(meeting: Meeting) -> None:
    grant(VIEW_MEETING, meeting.organizer.group, meeting)
    grant(CHANGE_MEETING, meeting.organizer.group, meeting)


def grant_invited(meeting: Meeting, organizations: list[Organization], people: list[Any]) -> None:
    for organization in organizations:
        grant(VIEW_MEETING, organization.group, meeting)
    for person in people:
        grant(VIEW_MEETING, person, meeting)
