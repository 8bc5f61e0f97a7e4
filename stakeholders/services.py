"""Every meaningful write to stakeholders. Views, API, admin and commands call these; nothing else writes.

Each service takes the acting ``Actor`` (or user) keyword-only, checks the rule, writes inside one
transaction and leaves notifications to the outbox.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.exceptions import ConflictError, DomainError, NotAllowed
from core.permissions import grant
from notifications.services import notify, notify_address

from .access import Actor
from .choices import MANAGING_ROLES, MembershipRole, OrganizationKind, VerificationStatus
from .models import (
    ApiToken,
    Capability,
    CredibilityAssessment,
    Invitation,
    Membership,
    Organization,
    ReaderProfile,
    hash_secret,
)

ORG_FIELDS = (
    "kind", "name_zh", "name_en", "region", "uscc", "contact_name", "contact_email",
    "contact_phone", "website", "description",
)  # fmt: skip


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        raise DomainError("; ".join(exc.messages), fields=fields) from exc


def _require_manager(actor: Actor, organization: Organization) -> None:
    if not actor.manages(organization.pk):
        raise NotAllowed(_("Only the organisation's owners and managers may do this."))


def _is_library_manager(actor: Actor) -> bool:
    return actor.is_superuser or bool(actor.managed_library_ids)


# --- organisations -----------------------------------------------------------------------------


@transaction.atomic
def organization_create(*, actor: Actor, **data: Any) -> Organization:
    """Register an organisation; the creator becomes its owner. Library managers and admins verify later."""
    if not actor.is_authenticated:
        raise NotAllowed(_("Sign in to register an organisation."))
    values = {k: v for k, v in data.items() if k in ORG_FIELDS}
    values["uscc"] = (values.get("uscc") or "").strip().upper()
    org = Organization(**values)
    org.group = Group(name=f"org-{secrets.token_hex(6)}")
    _check_uscc_free(org)
    _full_clean(org, exclude=["group"])
    org.group.save()
    org.save()
    org.group.name = f"org-{org.pk}"
    org.group.save(update_fields=["name"])
    Membership.objects.create(user=actor.user, organization=org, role=MembershipRole.OWNER)
    _grant_organization_perms(org)
    return org


def _check_uscc_free(org: Organization) -> None:
    if org.uscc and Organization.objects.filter(uscc=org.uscc).exclude(pk=org.pk).exists():
        raise ConflictError(
            _("An organisation with this unified social credit code is already registered."),
            fields={"uscc": [_("Already registered.")]},
        )


def _grant_organization_perms(org: Organization) -> None:
    grant("view_organization", org.group, org)
    grant("change_organization", org.group, org)


@transaction.atomic
def organization_update(*, actor: Actor, organization: Organization, **data: Any) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_manager(actor, org)
    if org.is_archived:
        raise ConflictError(_("An archived organisation cannot be changed."))
    for key, value in data.items():
        if key in ORG_FIELDS and key != "kind":
            setattr(org, key, value.strip().upper() if key == "uscc" and isinstance(value, str) else value)
    _check_uscc_free(org)
    _full_clean(org, exclude=["group"])
    org.save()
    return org


@transaction.atomic
def organization_verify(
    *, actor: Actor, organization: Organization, approve: bool = True, note: str = ""
) -> Organization:
    """A library manager (or an administrator) vouches for an organisation's identity."""
    if not _is_library_manager(actor):
        raise NotAllowed(_("Only library managers may verify organisations."))
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if org.is_archived:
        raise ConflictError(_("An archived organisation cannot be verified."))
    org.verification_status = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    org.verified_at = timezone.now()
    org.verified_by = actor.user
    # The note is the reason the history shows next to this change.
    with pghistory.context(reason=note) if note else contextlib.nullcontext():
        org.save(update_fields=["verification_status", "verified_at", "verified_by", "updated_at"])
    owners = [m.user for m in org.memberships.active().filter(role__in=MANAGING_ROLES).select_related("user")]
    notify(
        recipients=owners,
        event="organization.verified" if approve else "organization.rejected",
        title=_("%(org)s was verified") % {"org": org.name_zh}
        if approve
        else _("%(org)s was not verified") % {"org": org.name_zh},
        body=note,
        url=reverse("stakeholders:organization-detail", args=[org.pk]),
        actor=actor.user,
    )
    return org


@transaction.atomic
def organization_archive(*, actor: Actor, organization: Organization) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not (actor.is_superuser or actor.role_in(org.pk) == MembershipRole.OWNER):
        raise NotAllowed(_("Only the organisation's owners may archive it."))
    if org.is_archived:
        raise ConflictError(_("The organisation is already archived."))
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at", "updated_at"])
    return org


@transaction.atomic
def organization_restore(*, actor: Actor, organization: Organization) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not (actor.is_superuser or actor.role_in(org.pk) == MembershipRole.OWNER):
        raise NotAllowed(_("Only the organisation's owners may restore it."))
    org.archived_at = None
    org.save(update_fields=["archived_at", "updated_at"])
    return org


# --- memberships and invitations ----------------------------------------------------------------


def _check_last_owner(membership: Membership, new_role: str | None) -> None:
    if membership.role != MembershipRole.OWNER or new_role == MembershipRole.OWNER:
        return
    others = (
        Membership.objects.active()
        .filter(organization_id=membership.organization_id, role=MembershipRole.OWNER)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ConflictError(_("An organisation needs at least one owner: name another owner first."))


def _check_role_change_allowed(actor: Actor, organization_id: int, role: str) -> None:
    if role == MembershipRole.OWNER and not (actor.is_superuser or actor.role_in(organization_id) == "owner"):
        raise NotAllowed(_("Only an owner may make someone an owner."))


@transaction.atomic
def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_manager(actor, m.organization)
    if m.is_archived:
        raise ConflictError(_("This membership has ended."))
    if role not in MembershipRole.values:
        raise DomainError(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    _check_role_change_allowed(actor, m.organization_id, role)
    if m.role == MembershipRole.OWNER and not (actor.is_superuser or actor.role_in(m.organization_id) == "owner"):
        raise NotAllowed(_("Only an owner may change another owner's role."))
    _check_last_owner(m, role)
    m.role = role
    m.save(update_fields=["role", "updated_at"])
    return m


@transaction.atomic
def membership_end(*, actor: Actor, membership: Membership) -> Membership:
    """End a membership (archive it). A person may leave; managers may remove others."""
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    leaving_self = actor.is_authenticated and m.user_id == actor.user.pk
    if not leaving_self:
        _require_manager(actor, m.organization)
        if m.role == MembershipRole.OWNER and not (actor.is_superuser or actor.role_in(m.organization_id) == "owner"):
            raise NotAllowed(_("Only an owner may remove another owner."))
    if m.is_archived:
        raise ConflictError(_("This membership has already ended."))
    _check_last_owner(m, None)
    m.archived_at = timezone.now()
    m.save(update_fields=["archived_at", "updated_at"])
    return m


@transaction.atomic
def invitation_create(
    *, actor: Actor, organization: Organization, email: str, role: str = MembershipRole.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and the raw token (only ever sent in the e-mail)."""
    _require_manager(actor, organization)
    if organization.is_archived:
        raise ConflictError(_("An archived organisation cannot invite anyone."))
    if role not in MembershipRole.values:
        raise DomainError(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    _check_role_change_allowed(actor, organization.pk, role)
    email = email.strip().lower()
    if Membership.objects.active().filter(organization=organization, user__email__iexact=email).exists():
        raise ConflictError(_("This person is already a member."), fields={"email": [_("Already a member.")]})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=hash_secret(raw),
        invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    _full_clean(invitation, exclude=["token_hash", "invited_by"])
    invitation.save()
    link = settings.SITE_URL.rstrip("/") + reverse("stakeholders:invitation-accept", args=[raw])
    with override(getattr(actor.user, "preferred_language", None) or settings.LANGUAGE_CODE):
        subject = _("You are invited to join %(org)s on Gongjian") % {"org": organization.name_zh}
        body = _("%(who)s invites you to act for %(org)s as %(role)s.\n\nAccept within %(days)s days: %(link)s") % {
            "who": actor.user,
            "org": organization.name_zh,
            "role": invitation.get_role_display(),
            "days": settings.INVITATION_TTL_DAYS,
            "link": link,
        }
    notify_address(address=email, subject=subject, body=body, event="stakeholders.invitation")
    return invitation, raw


def invitation_by_token(raw: str) -> Invitation | None:
    return Invitation.objects.select_related("organization").filter(token_hash=hash_secret(raw)).first()


@transaction.atomic
def invitation_accept(*, user: Any, raw_token: str) -> Membership:
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_secret(raw_token)).first()
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."), code="invitation_invalid")
    if invitation.status != "pending":
        raise ConflictError(_("This invitation is %(status)s.") % {"status": _(invitation.status)})
    if user.email and user.email.lower() != invitation.email:
        raise NotAllowed(_("This invitation was sent to another e-mail address."))
    if not user.email:
        user.email = invitation.email
        user.save(update_fields=["email"])
    existing = Membership.objects.active().filter(user=user, organization=invitation.organization).first()
    if existing is not None:
        membership = existing
    else:
        membership = Membership.objects.create(user=user, organization=invitation.organization, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, raw_token: str, username: str, password: str, display_name: str = ""
) -> Membership:
    """Someone invited who has no account yet creates one for the invited address and joins."""
    invitation = invitation_by_token(raw_token)
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."), code="invitation_invalid")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ConflictError(_("This user name is taken."), fields={"username": [_("Taken.")]})
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ConflictError(
            _("An account with this e-mail address exists already: sign in with it to accept."),
            fields={"username": [_("Sign in instead.")]},
        )
    user = User(username=username, email=invitation.email, display_name=display_name)
    user.set_password(password)
    _full_clean(user, exclude=["password"])
    user.save()
    return invitation_accept(user=user, raw_token=raw_token)


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_manager(actor, inv.organization)
    if inv.status != "pending":
        raise ConflictError(_("Only a pending invitation can be revoked."))
    inv.revoked_at = timezone.now()
    inv.save(update_fields=["revoked_at", "updated_at"])
    return inv


# --- readers ---------------------------------------------------------------------------------------


@transaction.atomic
def reader_register(
    *,
    username: str,
    email: str,
    password: str,
    home_library: Organization,
    card_number: str,
    display_name: str = "",
    consent_contact: bool = False,
    consent_trials: bool = False,
) -> ReaderProfile:
    """A reader signs up with their library card. The card number is never stored in clear."""
    if home_library.kind != OrganizationKind.LIBRARY or home_library.is_archived:
        raise DomainError(_("Choose an active library as your home library."), fields={"home_library": [_("Not a library.")]})  # fmt: skip
    card = (card_number or "").strip()
    if not (4 <= len(card) <= 32) or not card.replace("-", "").isalnum():
        raise DomainError(_("A library card number has 4 to 32 letters or digits."), fields={"card_number": [_("Invalid card number.")]})  # fmt: skip
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ConflictError(_("This user name is taken."), fields={"username": [_("Taken.")]})
    card_hash = ReaderProfile.hash_card(home_library.pk, card)
    if ReaderProfile.objects.filter(home_library=home_library, card_number_hash=card_hash).exists():
        raise ConflictError(_("This library card is already registered."), fields={"card_number": [_("Already registered.")]})  # fmt: skip
    user = User(username=username, email=email, display_name=display_name)
    user.set_password(password)
    _full_clean(user, exclude=["password"])
    user.save()
    try:
        profile = ReaderProfile.objects.create(
            user=user,
            home_library=home_library,
            card_number_hash=card_hash,
            card_number_masked=ReaderProfile.mask_card(card),
            consent_contact=consent_contact,
            consent_trials=consent_trials,
            consented_at=timezone.now() if (consent_contact or consent_trials) else None,
        )
    except IntegrityError as exc:  # a concurrent sign-up with the same card
        raise ConflictError(_("This library card is already registered.")) from exc
    return profile


@transaction.atomic
def reader_update_consent(*, actor: Actor, consent_contact: bool, consent_trials: bool) -> ReaderProfile:
    if actor.reader_profile is None:
        raise NotAllowed(_("Only readers have reader consents."))
    profile = ReaderProfile.objects.select_for_update().get(pk=actor.reader_profile.pk)
    profile.consent_contact = consent_contact
    profile.consent_trials = consent_trials
    profile.consented_at = timezone.now()
    profile.save(update_fields=["consent_contact", "consent_trials", "consented_at", "updated_at"])
    return profile


# --- capabilities ------------------------------------------------------------------------------------


CAPABILITY_FIELDS = ("category", "title_zh", "title_en", "description", "keywords")


@transaction.atomic
def capability_create(*, actor: Actor, organization: Organization, **data: Any) -> Capability:
    if not actor.writes_for(organization.pk):
        raise NotAllowed(_("Only the organisation's members may describe what it offers."))
    if organization.is_archived:
        raise ConflictError(_("An archived organisation cannot add capabilities."))
    cap = Capability(organization=organization, **{k: v for k, v in data.items() if k in CAPABILITY_FIELDS})
    _full_clean(cap)
    cap.save()
    return cap


@transaction.atomic
def capability_update(*, actor: Actor, capability: Capability, **data: Any) -> Capability:
    cap = Capability.objects.select_for_update().get(pk=capability.pk)
    if not actor.writes_for(cap.organization_id):
        raise NotAllowed(_("Only the organisation's members may change its capabilities."))
    if cap.is_archived:
        raise ConflictError(_("An archived capability cannot be changed."))
    for key, value in data.items():
        if key in CAPABILITY_FIELDS:
            setattr(cap, key, value)
    _full_clean(cap)
    cap.save()
    return cap


@transaction.atomic
def capability_archive(*, actor: Actor, capability: Capability) -> Capability:
    cap = Capability.objects.select_for_update().get(pk=capability.pk)
    if not actor.writes_for(cap.organization_id):
        raise NotAllowed(_("Only the organisation's members may archive its capabilities."))
    if cap.is_archived:
        raise ConflictError(_("The capability is already archived."))
    cap.archived_at = timezone.now()
    cap.save(update_fields=["archived_at", "updated_at"])
    return cap


# --- credibility assessments -------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    actor: Actor,
    organization: Organization,
    qualifications: str,
    score: int,
    assessed_on: Any = None,
    document: Any = None,
    notes: str = "",
) -> CredibilityAssessment:
    """A library's staff record how strong and credible a partner is; both sides may read it."""
    library = actor.organization
    if library is None or library.kind != OrganizationKind.LIBRARY or not actor.writes_for(library.pk):
        raise NotAllowed(_("Only library staff may assess partners."))
    if organization.pk == library.pk:
        raise DomainError(_("A library cannot assess itself."))
    assessment = CredibilityAssessment(
        organization=organization,
        assessed_by=library,
        reviewer=actor.user,
        qualifications=qualifications,
        score=score,
        notes=notes,
    )
    if assessed_on:
        assessment.assessed_on = assessed_on
    if document:
        assessment.document = document
    _full_clean(assessment)
    assessment.save()
    grant("view_credibilityassessment", library.group, assessment)
    grant("change_credibilityassessment", library.group, assessment)
    grant("view_credibilityassessment", organization.group, assessment)
    return assessment


@transaction.atomic
def assessment_archive(*, actor: Actor, assessment: CredibilityAssessment) -> CredibilityAssessment:
    a = CredibilityAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not actor.manages(a.assessed_by_id):
        raise NotAllowed(_("Only managers of the assessing library may archive an assessment."))
    if a.is_archived:
        raise ConflictError(_("The assessment is already archived."))
    a.archived_at = timezone.now()
    a.save(update_fields=["archived_at", "updated_at"])
    return a


# --- API tokens ------------------------------------------------------------------------------------------

TOKEN_PREFIX = "gj_"


@transaction.atomic
def token_create(
    *, actor: Actor, name: str, organization: Organization | None = None, expires_at: Any = None
) -> tuple[ApiToken, str]:
    """A personal token, or an organisation's integration token (owned by a dedicated integration account)."""
    if not actor.is_authenticated:
        raise NotAllowed(_("Sign in to create tokens."))
    if not name.strip():
        raise DomainError(_("Give the token a name."), fields={"name": [_("This field is required.")]})
    owner = actor.user
    if organization is not None:
        _require_manager(actor, organization)
        owner = _integration_account(organization)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip(),
        user=owner,
        organization=organization,
        prefix=raw[:10],
        key_hash=hash_secret(raw),
        created_by=actor.user,
        expires_at=expires_at,
    )
    return token, raw


def _integration_account(organization: Organization) -> Any:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"integration-{organization.pk}",
        defaults={"is_integration": True, "display_name": f"{organization.name_zh} (integration)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.create(user=user, organization=organization, role=MembershipRole.MEMBER)
    return user


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    t = ApiToken.objects.select_for_update().get(pk=token.pk)
    own = t.organization_id is None and t.user_id == actor.user.pk
    if not own and not (t.organization_id and actor.manages(t.organization_id)):
        raise NotAllowed(_("Only the token's owner may revoke it."))
    if t.revoked_at:
        raise ConflictError(_("The token is already revoked."))
    t.revoked_at = timezone.now()
    t.save(update_fields=["revoked_at", "updated_at"])
    return t


def switch_organization(*, actor: Actor, organization_id: int) -> Organization:
    """Checks that the person may act for the organisation; the caller stores the choice in the session."""
    for m in actor.memberships:
        if m.organization_id == organization_id:
            return m.organization
    raise NotAllowed(_("You do not act for this organisation."))
