"""Who is acting: the person, the organisation they act for, their role there, and so their portal.

Every scoped selector takes an ``Actor``. The UI builds it from the session (a person may switch the
organisation they act for); the API builds it from the request's user (an integration token is bound
to its organisation).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from .choices import MANAGING_ROLES, PARTNER_KINDS, WRITING_ROLES, OrganizationKind, Portal

ACTING_ORG_SESSION_KEY = "gongjian_acting_org"


@dataclass
class Actor:
    user: Any
    organization: Any = None  # the organisation acted for, or None
    role: str | None = None
    memberships: list[Any] = field(default_factory=list)
    reader_profile: Any = None

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @property
    def is_superuser(self) -> bool:
        return bool(self.is_authenticated and self.user.is_superuser)

    @property
    def organization_ids(self) -> set[int]:
        return {m.organization_id for m in self.memberships}

    @property
    def kind(self) -> str | None:
        return self.organization.kind if self.organization is not None else None

    @property
    def portal(self) -> str:
        if self.organization is not None:
            if self.organization.kind == OrganizationKind.LIBRARY:
                return Portal.STAFF
            if self.organization.kind == OrganizationKind.GOVERNMENT:
                return Portal.GOVERNMENT
            if self.organization.kind in PARTNER_KINDS:
                return Portal.PARTNER
        if self.reader_profile is not None:
            return Portal.READER
        return Portal.NONE

    @property
    def is_staff_portal(self) -> bool:
        return self.portal == Portal.STAFF

    @property
    def is_reader(self) -> bool:
        return self.reader_profile is not None

    def role_in(self, organization_id: int) -> str | None:
        for m in self.memberships:
            if m.organization_id == organization_id:
                return str(m.role)
        return None

    def manages(self, organization_id: int) -> bool:
        return self.is_superuser or self.role_in(organization_id) in MANAGING_ROLES

    def writes_for(self, organization_id: int) -> bool:
        return self.is_superuser or self.role_in(organization_id) in WRITING_ROLES

    @property
    def library_ids(self) -> set[int]:
        return {m.organization_id for m in self.memberships if m.organization.kind == OrganizationKind.LIBRARY}

    @property
    def managed_library_ids(self) -> set[int]:
        return {
            m.organization_id
            for m in self.memberships
            if m.organization.kind == OrganizationKind.LIBRARY and m.role in MANAGING_ROLES
        }


ANONYMOUS = Actor(user=None)


def build_actor(user: Any, acting_org_id: int | None = None) -> Actor:
    """Load the person's active memberships once (one query) and pick the organisation acted for."""
    if user is None or not user.is_authenticated:
        return Actor(user=user)
    from .models import Membership, ReaderProfile

    memberships = list(
        Membership.objects.active()
        .filter(user=user, organization__archived_at__isnull=True)
        .select_related("organization")
        .order_by("created_at", "id")
    )
    token_org = getattr(user, "_token_organization_id", None)
    if token_org is not None:
        acting_org_id = token_org
    current = next((m for m in memberships if m.organization_id == acting_org_id), None)
    if current is None and memberships:
        current = memberships[0]
    reader = ReaderProfile.objects.filter(user=user).select_related("home_library").first()
    return Actor(
        user=user,
        organization=current.organization if current else None,
        role=str(current.role) if current else None,
        memberships=memberships,
        reader_profile=reader,
    )


def actor_for(request: HttpRequest | Any) -> Actor:
    """The actor of a request, built once per request and cached on it."""
    cached = getattr(request, "_gongjian_actor", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    acting = session.get(ACTING_ORG_SESSION_KEY) if session is not None else None
    actor = build_actor(user, acting)
    with contextlib.suppress(AttributeError):  # immutable request stand-ins
        request._gongjian_actor = actor  # type: ignore[union-attr]
    return actor


def reset_actor(request: HttpRequest | Any) -> None:
    if hasattr(request, "_gongjian_actor"):
        del request._gongjian_actor
