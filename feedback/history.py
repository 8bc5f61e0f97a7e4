"""Who may read which feedback object's history: the library's staff only.

A feedback's history names the reader, the responsible person and what moderation hid (and who hid
it), so it is not for the reader's own "my feedback" view, nor for partners.
"""

from __future__ import annotations

from core.history import register_history
from stakeholders.access import actor_for

from . import selectors
from .models import Feedback, FeedbackPolicy, ServiceLevel, Survey

register_history(Feedback, lambda request: selectors.feedback_staff_scope(actor_for(request)))
register_history(Survey, lambda request: selectors.survey_staff_scope(actor_for(request)))
register_history(FeedbackPolicy, lambda request: selectors.policy_staff_scope(actor_for(request)))
register_history(ServiceLevel, lambda request: selectors.service_level_staff_scope(actor_for(request)))
