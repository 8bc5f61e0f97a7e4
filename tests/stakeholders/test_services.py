"""Rules of the stakeholder services, exercised directly (the API and UI tests exercise the wiring)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import outbox_sweep
from stakeholders import selectors, services
from stakeholders.access import build_actor
from stakeholders.models import Invitation, Membership, Organization, ReaderProfile
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_registering_an_organisation_makes_the_creator_its_owner(staff):
    org = services.organization_create(actor=build_actor(staff), kind="university", name_zh="浙江大学")
    membership = Membership.objects.get(organization=org, user=staff)
    assert membership.role == "owner"
    assert org.group.name == f"org-{org.pk}"
    assert org.verification_status == "unverified"


def test_invalid_uscc_is_refused_and_nothing_is_written(staff):
    before = Organization.objects.count()
    with pytest.raises(DomainError) as exc:
        services.organization_create(actor=build_actor(staff), kind="enterprise", name_zh="某公司", uscc="123")
    assert "uscc" in exc.value.fields
    assert Organization.objects.count() == before


def test_duplicate_uscc_is_a_conflict(staff):
    services.organization_create(actor=build_actor(staff), kind="enterprise", name_zh="甲", uscc="91350100M000100Y43")
    with pytest.raises(ConflictError):
        services.organization_create(
            actor=build_actor(staff), kind="enterprise", name_zh="乙", uscc="91350100m000100y43"
        )


def test_only_library_managers_verify(enterprise, staff, staff_manager, partner_manager):
    with pytest.raises(NotAllowed):
        services.organization_verify(actor=build_actor(staff), organization=enterprise)
    with pytest.raises(NotAllowed):
        services.organization_verify(actor=build_actor(partner_manager), organization=enterprise)
    org = services.organization_verify(actor=build_actor(staff_manager), organization=enterprise, approve=False)
    assert org.verification_status == "rejected"
    assert org.verified_by == staff_manager


def test_the_last_owner_cannot_leave_or_be_demoted(enterprise):
    owner = f.member_of(enterprise, "owner")
    membership = Membership.objects.get(user=owner, organization=enterprise)
    with pytest.raises(ConflictError):
        services.membership_end(actor=build_actor(owner), membership=membership)
    with pytest.raises(ConflictError):
        services.membership_change_role(actor=build_actor(owner), membership=membership, role="manager")
    second = f.member_of(enterprise, "owner")
    services.membership_change_role(actor=build_actor(second), membership=membership, role="manager")
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_a_manager_cannot_promote_anyone_to_owner(enterprise, partner, partner_manager):
    membership = Membership.objects.get(user=partner, organization=enterprise)
    with pytest.raises(NotAllowed):
        services.membership_change_role(actor=build_actor(partner_manager), membership=membership, role="owner")
    membership.refresh_from_db()
    assert membership.role == "member"


def test_members_cannot_remove_others_but_may_leave(enterprise, partner, partner_manager):
    manager_membership = Membership.objects.get(user=partner_manager, organization=enterprise)
    with pytest.raises(NotAllowed):
        services.membership_end(actor=build_actor(partner), membership=manager_membership)
    own = Membership.objects.get(user=partner, organization=enterprise)
    services.membership_end(actor=build_actor(partner), membership=own)
    own.refresh_from_db()
    assert own.archived_at is not None
    assert enterprise.pk not in build_actor(partner).organization_ids


def test_invitation_is_mailed_and_accepted_once(enterprise, partner_manager, django_capture_on_commit_callbacks):
    invitee = f.UserFactory(email="new.person@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = services.invitation_create(
            actor=build_actor(partner_manager), organization=enterprise, email="New.Person@example.org", role="member"
        )
    assert invitation.token_hash != raw
    outbox_sweep()  # the e-mail leaves through the notifications outbox (no worker runs in this test)
    assert any(raw in m.body for m in mail.outbox)
    membership = services.invitation_accept(user=invitee, raw_token=raw)
    assert membership.organization == enterprise
    with pytest.raises(ConflictError):
        services.invitation_accept(user=invitee, raw_token=raw)


def test_expired_or_foreign_invitations_are_refused(enterprise, partner_manager):
    _, raw = services.invitation_create(actor=build_actor(partner_manager), organization=enterprise, email="a@b.org")
    stranger = f.UserFactory(email="someone.else@example.org")
    with pytest.raises(NotAllowed):
        services.invitation_accept(user=stranger, raw_token=raw)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    invitee = f.UserFactory(email="a@b.org")
    with pytest.raises(ConflictError):
        services.invitation_accept(user=invitee, raw_token=raw)
    assert not Membership.objects.filter(user=invitee).exists()


def test_reader_card_number_is_never_stored_in_clear(library):
    profile = services.reader_register(
        username="reader-x",
        email="reader@example.org",
        password="a-long-pass-phrase",
        home_library=library,
        card_number="ZJ0012345678",
        consent_trials=True,
    )
    assert profile.card_number_masked == "********5678"
    stored = ReaderProfile.objects.filter(pk=profile.pk).values_list("card_number_hash", "card_number_masked").get()
    assert "ZJ0012345678" not in "".join(stored)
    with pytest.raises(ConflictError):
        services.reader_register(
            username="reader-y",
            email="y@example.org",
            password="a-long-pass-phrase",
            home_library=library,
            card_number="zj0012345678",
        )


def test_reader_needs_a_library_as_home(enterprise):
    with pytest.raises(DomainError):
        services.reader_register(
            username="r",
            email="r@example.org",
            password="a-long-pass-phrase",
            home_library=enterprise,
            card_number="1234",
        )


def test_assessment_is_visible_to_assessing_library_and_assessed_partner_only(
    enterprise, staff, partner, outsider, other_org
):
    assessment = services.assessment_create(
        actor=build_actor(staff), organization=enterprise, qualifications="ISO 9001; 12 deployments", score=86
    )
    assert assessment in selectors.assessment_list_for(build_actor(staff))
    assert assessment in selectors.assessment_list_for(build_actor(partner))
    assert assessment not in selectors.assessment_list_for(build_actor(outsider))
    with pytest.raises(NotAllowed):
        services.assessment_create(actor=build_actor(partner), organization=other_org, qualifications="x", score=50)


def test_assessment_score_above_100_is_refused(enterprise, staff):
    with pytest.raises(DomainError):
        services.assessment_create(actor=build_actor(staff), organization=enterprise, qualifications="x", score=150)


def test_directory_scoping(library, enterprise, other_org, partner, reader):
    archived = f.OrganizationFactory(kind="enterprise")
    archived.archived_at = timezone.now()
    archived.save()
    seen_by_partner = set(selectors.organization_list_for(build_actor(partner)))
    assert {library, enterprise, other_org} <= seen_by_partner
    assert archived not in seen_by_partner
    assert set(selectors.organization_list_for(build_actor(reader))) == {library}
    nobody = f.UserFactory()
    assert not selectors.organization_list_for(build_actor(nobody)).exists()


def test_capability_search_finds_by_chinese_or_english(enterprise, partner):
    f.CapabilityFactory(organization=enterprise, title_zh="智能书架盘点机器人", title_en="Shelf inventory robot")
    f.CapabilityFactory(organization=enterprise, title_zh="云端数字资源平台", title_en="Cloud content platform")
    qs = selectors.capability_list_for(build_actor(partner))
    assert [c.title_en for c in selectors.capability_search(qs, "盘点")] == ["Shelf inventory robot"]
    assert [c.title_zh for c in selectors.capability_search(qs, "cloud")] == ["云端数字资源平台"]


def test_integration_token_acts_for_its_organisation(enterprise, partner_manager, partner):
    token, raw = services.token_create(actor=build_actor(partner_manager), name="ERP", organization=enterprise)
    assert raw.startswith("gj_") and token.key_hash != raw
    assert token.user.is_integration
    with pytest.raises(NotAllowed):
        services.token_revoke(actor=build_actor(partner), token=token)
    services.token_revoke(actor=build_actor(partner_manager), token=token)
    token.refresh_from_db()
    assert not token.is_active
