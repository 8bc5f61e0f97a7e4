"""Whose history readers may open: whoever the selectors let see the meeting, action item or plan."""

from __future__ import annotations

from core.history import register_history
from stakeholders.access import actor_for

from . import selectors
from .models import ActionItem, Meeting, ResearchPlan

register_history(Meeting, lambda request: selectors.meeting_list_for(actor_for(request), include_archived=True))
register_history(ActionItem, lambda request: selectors.action_item_list_for(actor_for(request)))
register_history(ResearchPlan, lambda request: selectors.plan_list_for(actor_for(request)))
