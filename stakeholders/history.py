"""Who may read which stakeholder object's history: whoever its scoped selector lets see the object."""

from __future__ import annotations

from core.history import register_history

from . import selectors
from .access import actor_for
from .models import Capability, CredibilityAssessment, Membership, Organization, ReaderProfile

register_history(
    Organization, lambda request: selectors.organization_list_for(actor_for(request), include_archived=True)
)
register_history(Membership, lambda request: selectors.membership_list_for(actor_for(request)))
register_history(Capability, lambda request: selectors.capability_list_for(actor_for(request)))
register_history(CredibilityAssessment, lambda request: selectors.assessment_list_for(actor_for(request)))
register_history(ReaderProfile, lambda request: selectors.reader_list_for(actor_for(request)))
