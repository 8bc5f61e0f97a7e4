"""Every write of the feedback loop. Views, the API, tasks and the demo seeder call these only."""

from .feedback import (
    anonymous_allowed,
    feedback_answer,
    feedback_categorise,
    feedback_confirm,
    feedback_hide,
    feedback_link_need,
    feedback_merge,
    feedback_provider_answered,
    feedback_reopen,
    feedback_resolve,
    feedback_route,
    feedback_submit,
    feedback_support,
    feedback_transition,
    feedback_triage,
)
from .policy import policy_configure, policy_set, service_level_set
from .sla import sla_sweep
from .surveys import survey_close, survey_create, survey_open, survey_respond

__all__ = [
    "anonymous_allowed",
    "feedback_answer",
    "feedback_categorise",
    "feedback_confirm",
    "feedback_hide",
    "feedback_link_need",
    "feedback_merge",
    "feedback_provider_answered",
    "feedback_reopen",
    "feedback_resolve",
    "feedback_route",
    "feedback_submit",
    "feedback_support",
    "feedback_transition",
    "feedback_triage",
    "policy_configure",
    "policy_set",
    "service_level_set",
    "sla_sweep",
    "survey_close",
    "survey_create",
    "survey_open",
    "survey_respond",
]
