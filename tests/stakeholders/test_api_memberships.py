"""/api/v1/memberships/, /api/v1/invitations/ and /api/v1/me/: who acts for which organisation."""

from __future__ import annotations

import re

import pytest

from notifications.models import Delivery
from stakeholders import services
from stakeholders.access import build_actor
from stakeholders.models import Invitation, Membership
from tests import factories as f
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids

pytestmark = pytest.mark.django_db


def membership(user, org):
    return Membership.objects.active().get(user=user, organization=org)


def url(m, suffix=""):
    return f"/api/v1/memberships/{m.pk}/{suffix}"


# --- memberships -------------------------------------------------------------------------------------


@covers("GET /api/v1/memberships/", "anonymous", "unrelated", "member", "manager")
def test_members_list_their_organisations_people_and_nobody_elses(api, enterprise, partner, partner_manager, outsider):
    ours = {membership(partner, enterprise).pk, membership(partner_manager, enterprise).pk}
    assert_error(api().get("/api/v1/memberships/"), 401)
    assert ids(api(partner).get("/api/v1/memberships/")) == ours
    assert ids(api(partner_manager).get("/api/v1/memberships/", {"role": "manager"})) == {
        membership(partner_manager, enterprise).pk
    }
    assert ids(api(outsider).get("/api/v1/memberships/")).isdisjoint(ours)
    assert ids(api(outsider).get("/api/v1/memberships/", {"organization": enterprise.pk})) == set()


@covers("GET /api/v1/memberships/{id}/", "anonymous", "unrelated", "member", "manager")
def test_membership_detail_is_a_404_outside_the_organisation(api, enterprise, partner, partner_manager, outsider):
    m = membership(partner, enterprise)
    assert_error(api().get(url(m)), 401)
    assert_error(api(outsider).get(url(m)), 404)
    for user in (partner, partner_manager):
        body = api(user).get(url(m)).json()
        assert body["user"]["username"] == partner.username
        assert body["organization"]["id"] == enterprise.pk


@covers("PATCH /api/v1/memberships/{id}/", "anonymous", "unrelated", "member", "manager")
def test_only_managers_change_roles(api, enterprise, partner, partner_manager, outsider):
    m = membership(partner, enterprise)
    for client, status in ((api(), 401), (api(outsider), 404), (api(partner), 403)):
        assert_error(client.patch(url(m), {"role": "manager"}), status)
        m.refresh_from_db()
        assert m.role == "member"
    response = api(partner_manager).patch(url(m), {"role": "observer"})
    assert response.status_code == 200, response.content
    m.refresh_from_db()
    assert m.role == "observer"


def test_an_unknown_role_is_a_400(api, enterprise, partner, partner_manager):
    m = membership(partner, enterprise)
    assert_error(api(partner_manager).patch(url(m), {"role": "emperor"}), 400, field="role")
    m.refresh_from_db()
    assert m.role == "member"


def test_a_manager_cannot_make_an_owner(api, enterprise, partner, partner_manager):
    m = membership(partner, enterprise)
    assert_error(api(partner_manager).patch(url(m), {"role": "owner"}), 403)
    m.refresh_from_db()
    assert m.role == "member"


def test_the_last_owner_cannot_step_down(api, enterprise):
    owner = f.member_of(enterprise, "owner")
    m = membership(owner, enterprise)
    assert_error(api(owner).patch(url(m), {"role": "member"}), 409, code="conflict")
    m.refresh_from_db()
    assert m.role == "owner"


@covers("POST /api/v1/memberships/{id}/end/", "anonymous", "unrelated", "member", "manager")
def test_managers_end_memberships_and_members_only_their_own(api, enterprise, partner, partner_manager, outsider):
    colleague = f.member_of(enterprise, "member")
    m = membership(colleague, enterprise)
    for client, status in ((api(), 401), (api(outsider), 404), (api(partner), 403)):
        assert_error(client.post(url(m, "end/")), status)
        m.refresh_from_db()
        assert m.archived_at is None
    assert api(partner_manager).post(url(m, "end/")).status_code == 200
    m.refresh_from_db()
    assert m.archived_at is not None
    own = membership(partner, enterprise)
    assert api(partner).post(url(own, "end/")).status_code == 200
    assert not Membership.objects.active().filter(user=partner, organization=enterprise).exists()


# --- invitations -------------------------------------------------------------------------------------------


def invite(enterprise, partner_manager, email="new@example.org"):
    return services.invitation_create(actor=build_actor(partner_manager), organization=enterprise, email=email)


@covers("GET /api/v1/invitations/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/invitations/{id}/", "anonymous", "unrelated", "member", "manager")
def test_only_managers_see_invitations(api, enterprise, partner, partner_manager, outsider):
    invitation, _ = invite(enterprise, partner_manager)
    detail = f"/api/v1/invitations/{invitation.pk}/"
    assert_error(api().get("/api/v1/invitations/"), 401)
    assert_error(api().get(detail), 401)
    for user in (outsider, partner):
        assert ids(api(user).get("/api/v1/invitations/")) == set()
        assert_error(api(user).get(detail), 404)
    assert ids(api(partner_manager).get("/api/v1/invitations/")) == {invitation.pk}
    body = api(partner_manager).get(detail).json()
    assert body["status"] == "pending"
    assert "token" not in body and "token_hash" not in body


@covers("POST /api/v1/invitations/", "anonymous", "unrelated", "member", "manager")
def test_managers_invite_and_the_token_goes_only_to_the_email(api, enterprise, partner, partner_manager, outsider):
    body = {"organization": enterprise.pk, "email": "Li.Hua@Example.org", "role": "member"}
    for client, status in ((api(), 401), (api(outsider), 403), (api(partner), 403)):
        assert_error(client.post("/api/v1/invitations/", body), status)
        assert not Invitation.objects.exists()
    response = api(partner_manager).post("/api/v1/invitations/", body)
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "li.hua@example.org"
    email = Delivery.objects.get(address="li.hua@example.org")  # the e-mail in the outbox
    raw = re.search(r"/invitations/([\w-]+)/", email.body)[1]
    assert raw not in response.content.decode()
    assert set(response.json()) == {
        "id", "organization", "email", "role", "status", "invited_by", "expires_at", "accepted_at",
        "revoked_at", "created_at",
    }  # fmt: skip


def test_inviting_an_existing_member_is_a_409(api, enterprise, partner, partner_manager):
    body = {"organization": enterprise.pk, "email": partner.email}
    assert_error(api(partner_manager).post("/api/v1/invitations/", body), 409, field="email")
    assert not Invitation.objects.exists()


def test_inviting_to_an_invisible_organisation_is_a_400(api, other_org, partner_manager):
    other_org.archived_at = other_org.created_at
    other_org.save()
    body = {"organization": other_org.pk, "email": "x@example.org"}
    assert_error(api(partner_manager).post("/api/v1/invitations/", body), 400, field="organization")


@covers("POST /api/v1/invitations/{id}/revoke/", "anonymous", "unrelated", "member", "manager")
def test_only_managers_revoke(api, enterprise, partner, partner_manager, outsider):
    invitation, _ = invite(enterprise, partner_manager)
    revoke = f"/api/v1/invitations/{invitation.pk}/revoke/"
    for client, status in ((api(), 401), (api(outsider), 404), (api(partner), 404)):
        assert_error(client.post(revoke), status)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None
    assert api(partner_manager).post(revoke).json()["status"] == "revoked"
    assert_error(api(partner_manager).post(revoke), 409)


@covers("POST /api/v1/invitations/accept/", "anonymous", "unrelated", "member", "manager")
def test_only_the_invited_address_accepts(api, enterprise, partner_manager, outsider):
    invitation, raw = invite(enterprise, partner_manager, email="invitee@example.org")
    # "unrelated" and "manager": someone else's account holding the link is refused.
    for client, status in ((api(), 401), (api(outsider), 403), (api(partner_manager), 403)):
        assert_error(client.post("/api/v1/invitations/accept/", {"token": raw}), status)
        invitation.refresh_from_db()
        assert invitation.accepted_at is None
    # "member": the invitee, who becomes a member.
    invitee = f.UserFactory(email="invitee@example.org")
    response = api(invitee).post("/api/v1/invitations/accept/", {"token": raw})
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "member"
    assert membership(invitee, enterprise).role == "member"
    assert_error(api(invitee).post("/api/v1/invitations/accept/", {"token": raw}), 409)


def test_a_wrong_token_is_a_400(api, partner):
    assert_error(api(partner).post("/api/v1/invitations/accept/", {"token": "nope"}), 400, code="invitation_invalid")
    assert_error(api(partner).post("/api/v1/invitations/accept/", {}), 400, field="token")


# --- me ---------------------------------------------------------------------------------------------------


@covers("GET /api/v1/me/", "anonymous", "unrelated", "member", "manager")
def test_me_shows_the_acting_person(api, enterprise, partner, partner_manager, outsider, other_org):
    assert_error(api().get("/api/v1/me/"), 401)
    for user, org, role in ((partner, enterprise, "member"), (partner_manager, enterprise, "manager"), (outsider, other_org, "manager")):  # fmt: skip
        body = api(user).get("/api/v1/me/").json()
        assert body["user"]["username"] == user.username
        assert body["acting_organization"]["id"] == org.pk
        assert body["role"] == role
        assert body["portal"] == "partner"
        assert [m["organization"]["id"] for m in body["memberships"]] == [org.pk]
        assert body["reader_profile"] is None


def test_me_shows_a_readers_masked_card_only(api, reader):
    body = api(reader).get("/api/v1/me/").json()
    assert body["portal"] == "reader"
    assert body["reader_profile"]["card_number_masked"] == "****1234"
    assert "card_number_hash" not in str(body)


@covers("POST /api/v1/me/switch/", "anonymous", "unrelated", "member", "manager")
def test_switching_to_an_organisation_one_acts_for(
    api, client, enterprise, library, partner, partner_manager, outsider
):
    assert_error(api().post("/api/v1/me/switch/", {"organization": enterprise.pk}), 401)
    assert_error(api(outsider).post("/api/v1/me/switch/", {"organization": enterprise.pk}), 403)
    assert_error(api(partner).post("/api/v1/me/switch/", {"organization": library.pk}), 403)
    assert_error(api(partner).post("/api/v1/me/switch/", {"organization": "x"}), 400, field="organization")
    # A manager of two organisations switches in the session, and later requests act for the new one.
    Membership.objects.create(user=partner_manager, organization=library, role="member")
    client.force_login(partner_manager)
    assert client.get("/api/v1/me/").json()["acting_organization"]["id"] == enterprise.pk
    response = client.post("/api/v1/me/switch/", {"organization": library.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["acting_organization"]["id"] == library.pk
    assert client.get("/api/v1/me/").json()["portal"] == "staff"
