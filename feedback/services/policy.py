"""A library's feedback rules: anonymous feedback allowed or not, and how long each state may last."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization

from ..choices import FeedbackStatus
from ..models import FeedbackPolicy, ServiceLevel
from ..states import SETTLED
from ._common import require_manager


def _require_library(library: Organization) -> None:
    if library.kind != OrganizationKind.LIBRARY:
        raise DomainError(_("Feedback rules belong to a library."))


@transaction.atomic
def policy_set(*, actor: Actor, library: Organization, allow_anonymous: bool) -> FeedbackPolicy:
    """The library's managers decide whether readers may give feedback without signing in."""
    _require_library(library)
    require_manager(actor, library.pk)
    policy, _created = FeedbackPolicy.objects.select_for_update().get_or_create(library=library)
    policy.allow_anonymous = allow_anonymous
    policy.save()
    return policy


@transaction.atomic
def service_level_set(
    *, actor: Actor, library: Organization, status: str, max_hours: int | None
) -> ServiceLevel | None:
    """How many hours feedback may stay in ``status``; ``None`` removes the limit. Applies from the next move."""
    _require_library(library)
    require_manager(actor, library.pk)
    if status not in FeedbackStatus.values or status in SETTLED:
        raise DomainError(_("No service level applies to this state."), fields={"status": [_("Invalid state.")]})
    if max_hours is None:
        ServiceLevel.objects.filter(library=library, status=status).delete()
        return None
    if max_hours < 1:
        raise DomainError(_("At least one hour."), fields={"max_hours": [_("At least one hour.")]})
    level, _created = ServiceLevel.objects.update_or_create(
        library=library, status=status, defaults={"max_hours": max_hours}
    )
    return level


@transaction.atomic
def policy_configure(
    *, actor: Actor, library: Organization, allow_anonymous: bool, service_levels: Mapping[str, int | None]
) -> FeedbackPolicy:
    """Set the whole policy at once: anonymous feedback, and hours per state (``None`` removes a limit)."""
    policy = policy_set(actor=actor, library=library, allow_anonymous=allow_anonymous)
    for status, hours in service_levels.items():
        service_level_set(actor=actor, library=library, status=status, max_hours=hours)
    return policy
