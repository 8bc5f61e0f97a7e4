"""/api/v1/alliances/, /alliance-members/ and /partner-invitations/: forming an alliance through the API.

Roles (tests/permissions.py): the owning organisation of an alliance is its lead library (member = library
staff, manager = its managers); of a membership or an invitation, the member or invited organisation.
"""

from __future__ import annotations

import pytest

from alliance import services
from alliance.models import Alliance, AllianceMember, PartnerInvitation
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ids, ok
from tests.alliance.flow import act
from tests.permissions import covers

pytestmark = pytest.mark.django_db


def url(p, suffix=""):
    return f"/api/v1/alliances/{p.alliance.pk}/{suffix}"


@covers("GET /api/v1/alliances/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/alliances/{id}/", "anonymous", "unrelated", "member", "manager")
def test_an_alliance_is_seen_by_its_members_only(p, outsider):
    assert_error(client().get("/api/v1/alliances/"), 401)
    assert_error(client().get(url(p)), 401)
    assert ids(client(outsider).get("/api/v1/alliances/")) == set()
    assert_error(client(outsider).get(url(p)), 404)
    for user in (p.librarian, p.manager, p.supplier, p.officer):
        assert ids(client(user).get("/api/v1/alliances/")) == {p.alliance.pk}
        body = ok(client(user).get(url(p)))
        assert (body["lead_library"]["id"], body["member_count"]) == (p.library.pk, 4)


@covers("POST /api/v1/alliances/", "anonymous", "unrelated", "member", "manager")
def test_only_a_librarys_managers_found_an_alliance(p, outsider):
    body = {"lead_library": p.library.pk, "name": "新联盟"}
    before = Alliance.objects.count()
    assert_error(client().post("/api/v1/alliances/", body), 401)
    assert_error(client(outsider).post("/api/v1/alliances/", body), 403)
    assert_error(client(p.librarian).post("/api/v1/alliances/", body), 403)
    assert Alliance.objects.count() == before
    made = created(client(p.manager).post("/api/v1/alliances/", {**body, "charter": "共建共享"}))
    assert (made["name"], made["member_count"], made["charter"]) == ("新联盟", 1, "共建共享")


def test_an_enterprise_cannot_lead_an_alliance(p, partner_manager):
    response = client(partner_manager).post("/api/v1/alliances/", {"lead_library": p.enterprise.pk, "name": "x"})
    assert "led by an active library" in assert_error(response, 400)["message"]


@covers("PATCH /api/v1/alliances/{id}/", "anonymous", "unrelated", "member", "manager")
def test_only_the_lead_librarys_managers_change_an_alliance(p, outsider):
    body = {"name": "改名后的联盟"}
    assert_error(client().patch(url(p), body), 401)
    assert_error(client(outsider).patch(url(p), body), 404)
    assert_error(client(p.librarian).patch(url(p), body), 403)
    assert_error(client(p.supplier).patch(url(p), body), 403)
    assert Alliance.objects.get(pk=p.alliance.pk).name != "改名后的联盟"
    assert ok(client(p.manager).patch(url(p), body))["name"] == "改名后的联盟"


@covers("POST /api/v1/alliances/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_only_the_lead_librarys_managers_archive_an_alliance(p, outsider):
    assert_error(client().post(url(p, "archive/")), 401)
    assert_error(client(outsider).post(url(p, "archive/")), 404)
    assert_error(client(p.librarian).post(url(p, "archive/")), 403)
    assert Alliance.objects.get(pk=p.alliance.pk).archived_at is None
    assert ok(client(p.manager).post(url(p, "archive/")))["archived_at"]
    assert ids(client(p.manager).get("/api/v1/alliances/")) == set()
    assert ids(client(p.manager).get("/api/v1/alliances/", {"archived": "true"})) == {p.alliance.pk}
    assert_error(client(p.manager).post(url(p, "archive/")), 409)


def test_an_alliance_with_a_running_project_cannot_be_archived(p):
    services.project_create(actor=act(p.librarian), alliance=p.alliance, title="进行中")
    assert "Close or cancel" in assert_error(client(p.manager).post(url(p, "archive/")), 409)["message"]


@covers("GET /api/v1/alliances/{id}/members/", "anonymous", "unrelated", "member", "manager")
def test_members_of_an_alliance_with_their_roles(p, outsider):
    assert_error(client().get(url(p, "members/")), 401)
    assert_error(client(outsider).get(url(p, "members/")), 404)
    for user in (p.librarian, p.manager):
        rows = ok(client(user).get(url(p, "members/")))["results"]
        assert {(r["organization"]["id"], r["role"]) for r in rows} == {
            (p.library.pk, "demand"), (p.enterprise.pk, "provider"), (p.university.pk, "assistant"),
            (p.government.pk, "guide"),
        }  # fmt: skip


@covers("POST /api/v1/alliances/{id}/join/", "anonymous", "unrelated", "member", "manager")
def test_only_the_lead_librarys_managers_admit_members(p, outsider):
    institute = f.OrganizationFactory(kind="research")
    body = {"organization": institute.pk, "role": "assistant", "contributes": "算法研究"}
    assert_error(client().post(url(p, "join/"), body), 401)
    assert_error(client(outsider).post(url(p, "join/"), body), 404)
    assert_error(client(p.librarian).post(url(p, "join/"), body), 403)
    assert not AllianceMember.objects.filter(organization=institute).exists()
    member = created(client(p.manager).post(url(p, "join/"), body))
    assert (member["role"], member["contributes"]) == ("assistant", "算法研究")
    assert_error(client(p.manager).post(url(p, "join/"), body), 409)


def test_a_role_must_fit_the_organisations_kind(p):
    institute = f.OrganizationFactory(kind="research")
    error = assert_error(client(p.manager).post(url(p, "join/"), {"organization": institute.pk, "role": "provider"}), 400)  # fmt: skip
    assert "cannot be the Provider" in error["message"]


def _member(p, org):
    return AllianceMember.objects.get(alliance=p.alliance, organization=org, archived_at__isnull=True)


@covers("PATCH /api/v1/alliance-members/{id}/", "anonymous", "unrelated", "member", "manager")
def test_benefit_terms_are_recorded_by_the_lead_librarys_managers(p, outsider, partner_manager):
    member = _member(p, p.enterprise)
    path = f"/api/v1/alliance-members/{member.pk}/"
    body = {"contributes": "RFID 设备与运维", "receives": "示范案例"}
    assert_error(client().patch(path, body), 401)
    assert_error(client(outsider).patch(path, body), 404)
    for user in (p.librarian, partner_manager):
        assert_error(client(user).patch(path, body), 403)
    assert _member(p, p.enterprise).contributes == ""
    terms = ok(client(p.manager).patch(path, body))
    assert (terms["contributes"], terms["receives"]) == ("RFID 设备与运维", "示范案例")


@covers("POST /api/v1/alliance-members/{id}/leave/", "anonymous", "unrelated", "member", "manager")
def test_an_organisations_managers_take_it_out_of_an_alliance(p, outsider, partner_manager):
    member = _member(p, p.enterprise)
    path = f"/api/v1/alliance-members/{member.pk}/leave/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.supplier).post(path), 403)
    assert _member(p, p.enterprise).archived_at is None
    assert ok(client(partner_manager).post(path))["archived_at"]
    assert_error(client(partner_manager).get(url(p)), 404)


def test_the_lead_library_cannot_leave_its_own_alliance(p):
    path = f"/api/v1/alliance-members/{_member(p, p.library).pk}/leave/"
    assert "cannot leave its own alliance" in assert_error(client(p.manager).post(path), 409)["message"]


# --- partner invitations ------------------------------------------------------------------------------


@pytest.fixture
def invited(p):
    """A research institute the library invites, with a member and a manager."""
    institute = f.OrganizationFactory(kind="research", name_zh="智能研究院")
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=institute, role="assistant", message="欢迎加入"
    )
    return invitation, f.member_of(institute, "member"), f.member_of(institute, "manager")


@covers("GET /api/v1/partner-invitations/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/partner-invitations/{id}/", "anonymous", "unrelated", "member", "manager")
def test_an_invitation_is_seen_by_the_inviting_library_and_the_invited_organisation(p, invited, outsider):
    invitation, member, manager = invited
    path = f"/api/v1/partner-invitations/{invitation.pk}/"
    assert_error(client().get("/api/v1/partner-invitations/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/partner-invitations/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (member, manager, p.librarian, p.manager):
        assert ids(client(user).get("/api/v1/partner-invitations/")) == {invitation.pk}
        assert ok(client(user).get(path))["message"] == "欢迎加入"
    assert ids(client(p.supplier).get("/api/v1/partner-invitations/")) == set()


@covers("POST /api/v1/partner-invitations/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_invite_a_suggested_partner(p, outsider, other_org):
    body = {"alliance": p.alliance.pk, "organization": other_org.pk, "role": "provider"}
    assert_error(client().post("/api/v1/partner-invitations/", body), 401)
    assert_error(client(outsider).post("/api/v1/partner-invitations/", body), 400, field="alliance")
    assert_error(client(p.supplier).post("/api/v1/partner-invitations/", body), 403)
    assert not PartnerInvitation.objects.exists()
    made = created(client(p.librarian).post("/api/v1/partner-invitations/", body))
    assert (made["organization"]["id"], made["status"]) == (other_org.pk, "pending")
    # One pending invitation per organisation and alliance.
    assert_error(client(p.manager).post("/api/v1/partner-invitations/", body), 409)
    third = f.OrganizationFactory(kind="enterprise")
    created(client(p.manager).post("/api/v1/partner-invitations/", {**body, "organization": third.pk}))


@covers("POST /api/v1/partner-invitations/{id}/accept/", "anonymous", "unrelated", "member", "manager")
def test_the_invited_organisations_managers_accept_and_join(p, invited, outsider):
    invitation, member, manager = invited
    path = f"/api/v1/partner-invitations/{invitation.pk}/accept/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    for user in (member, p.librarian):
        assert_error(client(user).post(path), 403)
    assert PartnerInvitation.objects.get(pk=invitation.pk).status == "pending"
    assert ok(client(manager).post(path))["status"] == "accepted"
    assert ok(client(manager).get(url(p)))["id"] == p.alliance.pk
    assert_error(client(manager).post(path), 409)


@covers("POST /api/v1/partner-invitations/{id}/decline/", "anonymous", "unrelated", "member", "manager")
def test_the_invited_organisations_managers_decline(p, invited, outsider):
    invitation, member, manager = invited
    path = f"/api/v1/partner-invitations/{invitation.pk}/decline/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(member).post(path, {"reason": "人手不足"}), 403)
    assert PartnerInvitation.objects.get(pk=invitation.pk).status == "pending"
    assert ok(client(manager).post(path, {"reason": "人手不足"}))["status"] == "declined"
    assert_error(client(manager).get(url(p)), 404)
