"""Forming an alliance: roles fit kinds, joining and leaving grant and revoke sight, invitations, scoping per portal."""

from __future__ import annotations

import pytest

from alliance import selectors, services
from alliance.models import AllianceMember, PartnerInvitation, ProjectParticipant
from core.exceptions import ConflictError, DomainError, NotAllowed
from core.permissions import holds
from tests import factories as f
from tests.alliance.flow import act, new_project, staff_project, to_development

pytestmark = pytest.mark.django_db


def test_founding_an_alliance_makes_the_library_its_demand_side(library, staff_manager, staff):
    with pytest.raises(NotAllowed):
        services.alliance_create(actor=act(staff), lead_library=library, name="联盟")
    alliance = services.alliance_create(actor=act(staff_manager), lead_library=library, name="联盟")
    member = AllianceMember.objects.get(alliance=alliance)
    assert (member.organization, member.role) == (library, "demand")
    assert holds(act(staff), "view_alliance", alliance) and holds(act(staff), "change_alliance", alliance)


def test_roles_must_fit_the_kind_of_organisation(p, other_org):
    with pytest.raises(DomainError):
        services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=other_org, role="guide")
    with pytest.raises(DomainError):
        services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=other_org, role="assistant")
    assert not AllianceMember.objects.filter(organization=other_org).exists()


def test_only_lead_library_managers_admit_members(p, other_org, outsider):
    for user in (p.librarian, p.supplier, outsider):
        with pytest.raises(NotAllowed):
            services.alliance_join(actor=act(user), alliance=p.alliance, organization=other_org, role="provider")


def test_joining_grants_sight_of_the_alliance_and_leaving_revokes_it_with_its_projects(p, other_org, outsider):
    assert not holds(act(outsider), "view_alliance", p.alliance)
    member = services.alliance_join(
        actor=act(p.manager), alliance=p.alliance, organization=other_org, role="provider",
        contributes="AI 推荐系统", receives="示范案例",
    )  # fmt: skip
    assert holds(act(outsider), "view_alliance", p.alliance)
    assert list(selectors.alliance_list_for(act(outsider))) == [p.alliance]
    project = new_project(p)
    services.project_add_participant(actor=act(p.manager), project=project, organization=other_org, role="provider")
    assert holds(act(outsider), "view_project", project)
    services.alliance_leave(actor=act(outsider), member=member)
    assert not holds(act(outsider), "view_alliance", p.alliance)
    assert not holds(act(outsider), "view_project", project)
    assert not ProjectParticipant.objects.active().filter(organization=other_org).exists()
    assert list(selectors.alliance_list_for(act(outsider))) == []


def test_the_provider_of_a_running_project_cannot_leave(p):
    project = new_project(p)
    to_development(p, project)
    member = AllianceMember.objects.get(alliance=p.alliance, organization=p.enterprise)
    with pytest.raises(ConflictError):
        services.alliance_leave(actor=act(p.manager), member=member)
    assert holds(act(p.supplier), "view_project", project)


def test_the_lead_library_cannot_leave_its_alliance(p):
    member = AllianceMember.objects.get(alliance=p.alliance, organization=p.library)
    with pytest.raises(ConflictError):
        services.alliance_leave(actor=act(p.manager), member=member)


def test_benefit_terms_are_recorded_by_the_lead_library(p):
    member = AllianceMember.objects.get(alliance=p.alliance, organization=p.university)
    with pytest.raises(NotAllowed):
        services.alliance_member_update_terms(actor=act(p.professor), member=member, receives="更多")
    updated = services.alliance_member_update_terms(
        actor=act(p.manager), member=member, contributes="馆员培训", receives="科研数据"
    )
    assert (updated.contributes, updated.receives) == ("馆员培训", "科研数据")


def test_an_invited_partner_joins_the_alliance_and_the_project_on_accepting(p, other_org, outsider):
    project = new_project(p)
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=other_org, role="provider", project=project
    )
    with pytest.raises(ConflictError):
        services.partner_invite(actor=act(p.librarian), alliance=p.alliance, organization=other_org, role="provider")
    with pytest.raises(NotAllowed):
        services.partner_invitation_accept(actor=act(p.supplier), invitation=invitation)
    assert list(selectors.partner_invitation_list_for(act(outsider))) == [invitation]
    services.partner_invitation_accept(actor=act(outsider), invitation=invitation)
    assert PartnerInvitation.objects.get(pk=invitation.pk).status == "accepted"
    assert holds(act(outsider), "view_alliance", p.alliance) and holds(act(outsider), "view_project", project)
    assert project.participants.active().get(role="provider").organization == other_org
    with pytest.raises(ConflictError):
        services.partner_invitation_decline(actor=act(outsider), invitation=invitation)


def test_a_declined_invitation_grants_nothing(p, other_org, outsider):
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=other_org, role="provider"
    )
    services.partner_invitation_decline(actor=act(outsider), invitation=invitation, reason="产能不足")
    assert not holds(act(outsider), "view_alliance", p.alliance)


# --- scoping per portal ---------------------------------------------------------------------------------------


def test_library_staff_see_all_alliances_and_projects_of_their_library(p, library, staff_manager):
    other_alliance = services.alliance_create(actor=act(staff_manager), lead_library=library, name="第二联盟")
    project = new_project(p)
    assert set(selectors.alliance_list_for(act(p.librarian))) == {p.alliance, other_alliance}
    assert list(selectors.project_list_for(act(p.librarian))) == [project]


def test_partners_see_only_the_projects_they_take_part_in(p):
    in_it = new_project(p)
    staff_project(p, in_it)
    not_in_it = new_project(p)
    assert list(selectors.alliance_list_for(act(p.supplier))) == [p.alliance]
    assert list(selectors.project_list_for(act(p.supplier))) == [in_it]
    assert not_in_it not in selectors.project_list_for(act(p.professor))


def test_government_sees_the_alliances_it_guides_and_all_their_projects(p, library, staff_manager):
    project = new_project(p)
    unguided = services.alliance_create(actor=act(staff_manager), lead_library=library, name="未指导联盟")
    hidden = services.project_create(actor=act(p.librarian), alliance=unguided, title="内部项目")
    assert list(selectors.alliance_list_for(act(p.officer))) == [p.alliance]
    assert list(selectors.project_list_for(act(p.officer))) == [project]
    assert hidden not in selectors.government_compliance(act(p.officer))


def test_readers_and_outsiders_see_no_alliance_or_project(p, outsider):
    new_project(p)
    for user in (p.readers[0].user, outsider):
        assert not selectors.alliance_list_for(act(user)).exists()
        assert not selectors.project_list_for(act(user)).exists()
        assert not selectors.need_list_for(act(user)).exists()


def test_needs_are_seen_by_the_library_and_members_of_the_alliance_they_were_shared_with(p, library, outsider):
    shared = new_project(p).needs.get()
    private = services.need_create(actor=act(p.librarian), library=library, title="馆内需求", category="space")
    assert set(selectors.need_list_for(act(p.librarian))) == {shared, private}
    assert list(selectors.need_list_for(act(p.supplier))) == [shared]
    assert not selectors.need_list_for(act(outsider)).exists()


def test_an_archived_organisation_cannot_join(p, other_org):
    other_org.archived_at = other_org.created_at
    other_org.save()
    with pytest.raises(DomainError):
        services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=other_org, role="provider")


def test_participants_must_be_alliance_members_first(p):
    stranger = f.OrganizationFactory(kind="enterprise")
    project = new_project(p)
    with pytest.raises(ConflictError):
        services.project_add_participant(actor=act(p.manager), project=project, organization=stranger, role="provider")
