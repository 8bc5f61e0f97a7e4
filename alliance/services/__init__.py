"""Every meaningful write of the co-construction cycle. Views, API, admin, tasks and the demo call these.

Each service takes the acting ``Actor`` keyword-only, checks the rule, writes inside one transaction,
keeps django-guardian permissions in step (``alliance.access``) and writes notifications to the outbox.
Status changes of a project go through ``project_transition`` (``alliance.cycle``) only.
"""

from ..cycle import available_transitions, project_transition
from .alliances import (
    alliance_archive,
    alliance_create,
    alliance_join,
    alliance_leave,
    alliance_member_update_terms,
    alliance_update,
    partner_invitation_accept,
    partner_invitation_decline,
    partner_invite,
)
from .delivery import (
    correction_answer,
    correction_raise,
    correction_verify,
    deliverable_archive,
    deliverable_create,
    deliverable_version_upload,
    signoff_give,
    trial_invite_readers,
    trial_plan,
    trial_respond,
)
from .guidance import guidance_archive, guidance_issue, project_declare_standard, project_withdraw_standard
from .needs import (
    need_add_evidence,
    need_analyse,
    need_archive,
    need_create,
    need_drop,
    need_evidence_archive,
    need_update,
)
from .projects import (
    milestone_add,
    milestone_archive,
    milestone_complete,
    project_add_participant,
    project_archive,
    project_create,
    project_link_need,
    project_remove_participant,
    project_update,
)
from .reminders import corrections_remind_overdue, milestones_review_due
from .training import (
    training_complete,
    training_enrol,
    training_program_archive,
    training_program_create,
    training_record_attendance,
    training_session_add,
)

__all__ = [
    "alliance_archive",
    "alliance_create",
    "alliance_join",
    "alliance_leave",
    "alliance_member_update_terms",
    "alliance_update",
    "available_transitions",
    "correction_answer",
    "correction_raise",
    "correction_verify",
    "corrections_remind_overdue",
    "deliverable_archive",
    "deliverable_create",
    "deliverable_version_upload",
    "guidance_archive",
    "guidance_issue",
    "milestone_add",
    "milestone_archive",
    "milestone_complete",
    "milestones_review_due",
    "need_add_evidence",
    "need_analyse",
    "need_archive",
    "need_create",
    "need_drop",
    "need_evidence_archive",
    "need_update",
    "partner_invitation_accept",
    "partner_invitation_decline",
    "partner_invite",
    "project_add_participant",
    "project_archive",
    "project_create",
    "project_declare_standard",
    "project_link_need",
    "project_remove_participant",
    "project_transition",
    "project_update",
    "project_withdraw_standard",
    "signoff_give",
    "training_complete",
    "training_enrol",
    "training_program_archive",
    "training_program_create",
    "training_record_attendance",
    "training_session_add",
    "trial_invite_readers",
    "trial_plan",
    "trial_respond",
]
