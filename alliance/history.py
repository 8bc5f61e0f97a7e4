"""Who may read which alliance object's history: whoever its scoped selector lets see the object."""

from __future__ import annotations

from core.history import register_history
from stakeholders.access import actor_for

from . import selectors
from .models import (
    Alliance,
    AllianceMember,
    CorrectionRequest,
    Deliverable,
    GuidanceDocument,
    Milestone,
    Need,
    Project,
    TrainingProgram,
    Trial,
)

register_history(Alliance, lambda request: selectors.alliance_list_for(actor_for(request), include_archived=True))
register_history(AllianceMember, lambda request: selectors.alliance_member_list_for(actor_for(request)))
register_history(Need, lambda request: selectors.need_list_for(actor_for(request), include_archived=True))
register_history(Project, lambda request: selectors.project_list_for(actor_for(request), include_archived=True))
register_history(Milestone, lambda request: selectors.milestone_list_for(actor_for(request)))
register_history(Deliverable, lambda request: selectors.deliverable_list_for(actor_for(request)))
register_history(Trial, lambda request: selectors.trial_list_for(actor_for(request)))
register_history(CorrectionRequest, lambda request: selectors.correction_list_for(actor_for(request)))
register_history(TrainingProgram, lambda request: selectors.training_program_list_for(actor_for(request)))
register_history(
    GuidanceDocument, lambda request: selectors.guidance_list_for(actor_for(request), include_archived=True)
)

# Contracts and IP assets: whoever their scoped selector lets see them.
from . import selectors_contracts  # noqa: E402
from .models import Contract, IPAsset  # noqa: E402

register_history(
    Contract, lambda request: selectors_contracts.contract_list_for(actor_for(request), include_archived=True)
)
register_history(IPAsset, lambda request: selectors_contracts.ip_asset_list_for(actor_for(request)))
