"""Pages of the directory, organisations, members, invitations, readers and tokens."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from stakeholders.models import ApiToken, Capability, Invitation, Membership, Organization, ReaderProfile
from stakeholders.services import invitation_create
from tests import factories as f
from tests.conftest import actor

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


# --- access --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("stakeholders:organization-list", []),
        ("stakeholders:capability-list", []),
        ("stakeholders:me", []),
        ("stakeholders:token-list", []),
        ("stakeholders:organization-create", []),
    ],
)
def test_anonymous_is_sent_to_sign_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_is_sent_to_sign_in_from_an_organisation_page(client, enterprise):
    response = client.get(reverse("stakeholders:organization-detail", args=[enterprise.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unrelated_organisation_gets_404_on_foreign_member_pages(client, enterprise, outsider):
    signed_in(client, outsider)
    partner_membership = Membership.objects.create(user=f.UserFactory(), organization=enterprise, role="member")
    assert client.get(reverse("stakeholders:organization-edit", args=[enterprise.pk])).status_code == 404
    assert client.get(reverse("stakeholders:invitation-create", args=[enterprise.pk])).status_code == 404
    url = reverse("stakeholders:membership-role", args=[partner_membership.pk])
    assert client.post(url, {"role": "manager"}).status_code == 404
    partner_membership.refresh_from_db()
    assert partner_membership.role == "member"


def test_unrelated_organisation_does_not_see_foreign_members_on_the_profile(client, enterprise, partner, outsider):
    signed_in(client, outsider)
    response = client.get(reverse("stakeholders:organization-detail", args=[enterprise.pk]))
    assert response.status_code == 200
    assert partner.username not in response.content.decode()
    assert 'id="members"' not in response.content.decode()


def test_reader_gets_404_for_an_enterprise_page(client, reader, enterprise):
    signed_in(client, reader)
    assert client.get(reverse("stakeholders:organization-detail", args=[enterprise.pk])).status_code == 404


# --- directory -----------------------------------------------------------------------------------------


def names(response):
    return {o.name_zh for o in response.context["organizations"]}


def test_directory_filters_by_kind_and_searches_by_name(client, staff, library, enterprise, government):
    signed_in(client, staff)
    url = reverse("stakeholders:organization-list")
    assert names(client.get(url, {"kind": "enterprise"})) == {enterprise.name_zh}
    response = client.get(url, {"q": "智图"})
    assert names(response) == {enterprise.name_zh}
    assert enterprise.name_zh in response.content.decode()


def test_directory_filters_by_verification_and_region(client, staff, enterprise):
    pending = f.OrganizationFactory(verification_status="unverified", region="江苏省南京市", name_zh="待审核机构")
    signed_in(client, staff)
    url = reverse("stakeholders:organization-list")
    assert names(client.get(url, {"verification": "unverified"})) == {pending.name_zh}
    assert names(client.get(url, {"region": "江苏省南京市"})) == {pending.name_zh}
    assert enterprise.name_zh in names(client.get(url))


def test_directory_htmx_request_returns_only_the_results(client, staff, enterprise):
    signed_in(client, staff)
    response = client.get(reverse("stakeholders:organization-list"), {"q": "智图"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="organization-table"' in body and "<html" not in body


def test_directory_paginates(client, staff):
    for _ in range(25):
        f.OrganizationFactory()
    signed_in(client, staff)
    response = client.get(reverse("stakeholders:organization-list"))
    assert len(response.context["organizations"]) == 20
    assert len(client.get(reverse("stakeholders:organization-list"), {"page": 2}).context["organizations"]) >= 6


def _directory_queries(client, count_queries):
    with count_queries() as q:
        assert client.get(reverse("stakeholders:organization-list")).status_code == 200
    return len(q)


def test_directory_query_count_is_the_same_for_1_and_20_rows(client, staff, count_queries):
    signed_in(client, staff)
    one = _directory_queries(client, count_queries)
    for _ in range(19):
        org = f.OrganizationFactory()
        f.member_of(org)
        f.CapabilityFactory(organization=org)
    assert _directory_queries(client, count_queries) == one


def test_capability_list_query_count_is_the_same_for_1_and_20_rows(client, staff, enterprise, count_queries):
    f.CapabilityFactory(organization=enterprise)
    signed_in(client, staff)
    url = reverse("stakeholders:capability-list")
    with count_queries() as q1:
        client.get(url)
    for _ in range(19):
        f.CapabilityFactory(organization=f.OrganizationFactory())
    with count_queries() as q20:
        response = client.get(url)
    assert len(response.context["capabilities"]) == 20
    assert len(q20) == len(q1)


def test_directory_exports_the_filtered_rows_as_csv(client, staff, enterprise, government):
    signed_in(client, staff)
    response = client.get(reverse("stakeholders:organization-list"), {"kind": "enterprise", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert enterprise.name_zh in text and government.name_zh not in text


def test_directory_exports_xlsx(client, staff, enterprise):
    signed_in(client, staff)
    response = client.get(reverse("stakeholders:organization-list"), {"export": "xlsx"})
    assert response.content[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]


def test_capability_search_finds_by_keyword(client, staff, enterprise, other_org):
    f.CapabilityFactory(organization=enterprise, title_zh="智能书架", title_en="Smart shelf", keywords="RFID 盘点")
    f.CapabilityFactory(organization=other_org, category="ai", title_zh="图像识别", title_en="Vision", keywords="AI")
    signed_in(client, staff)
    body = client.get(reverse("stakeholders:capability-list"), {"q": "盘点"}).content.decode()
    assert "智能书架" in body and "图像识别" not in body


# --- organisation page and management --------------------------------------------------------------------


def test_manager_sees_members_and_invitations_member_sees_no_invitations(client, enterprise, partner, partner_manager):
    signed_in(client, partner_manager)
    body = client.get(reverse("stakeholders:organization-detail", args=[enterprise.pk])).content.decode()
    assert 'id="members"' in body and 'id="invitations"' in body and partner.username in body
    signed_in(client, partner)
    body = client.get(reverse("stakeholders:organization-detail", args=[enterprise.pk])).content.decode()
    assert 'id="members"' in body and 'id="invitations"' not in body
    assert reverse("stakeholders:organization-edit", args=[enterprise.pk]) not in body


def test_verify_button_only_for_library_managers(client, enterprise, staff, staff_manager):
    url = reverse("stakeholders:organization-detail", args=[enterprise.pk])
    verify = reverse("stakeholders:organization-verify", args=[enterprise.pk])
    assert verify not in signed_in(client, staff).get(url).content.decode()
    assert verify in signed_in(client, staff_manager).get(url).content.decode()


def test_library_manager_verifies_an_organisation(client, staff_manager):
    org = f.OrganizationFactory(verification_status="unverified")
    signed_in(client, staff_manager)
    client.post(reverse("stakeholders:organization-verify", args=[org.pk]), {"approve": "1"})
    org.refresh_from_db()
    assert org.verification_status == "verified"


def test_member_cannot_verify_and_nothing_changes(client, partner):
    org = f.OrganizationFactory(verification_status="unverified")
    signed_in(client, partner)
    response = client.post(
        reverse("stakeholders:organization-verify", args=[org.pk]),
        {"approve": "1"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    org.refresh_from_db()
    assert org.verification_status == "unverified"
    assert "library managers" in response.content.decode()


def test_manager_changes_a_role_via_htmx(client, enterprise, partner, partner_manager):
    membership = Membership.objects.get(user=partner, organization=enterprise)
    signed_in(client, partner_manager)
    url = reverse("stakeholders:membership-role", args=[membership.pk])
    response = client.post(url, {"role": "observer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="membership-{membership.pk}"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "observer"


def test_member_cannot_change_roles_and_sees_why(client, enterprise, partner, partner_manager):
    membership = Membership.objects.get(user=partner_manager, organization=enterprise)
    signed_in(client, partner)
    url = reverse("stakeholders:membership-role", args=[membership.pk])
    response = client.post(url, {"role": "observer"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "owners and managers" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_manager_removes_a_member(client, enterprise, partner, partner_manager):
    membership = Membership.objects.get(user=partner, organization=enterprise)
    signed_in(client, partner_manager)
    response = client.post(reverse("stakeholders:membership-remove", args=[membership.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    membership.refresh_from_db()
    assert membership.is_archived


def test_manager_invites_by_email(client, enterprise, partner_manager):
    signed_in(client, partner_manager)
    url = reverse("stakeholders:invitation-create", args=[enterprise.pk])
    response = client.post(url, {"email": "new@example.org", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.filter(organization=enterprise, email="new@example.org").exists()


def test_invitation_with_bad_email_re_renders_with_the_error(client, enterprise, partner_manager):
    signed_in(client, partner_manager)
    url = reverse("stakeholders:invitation-create", args=[enterprise.pk])
    response = client.post(url, {"email": "not-an-address", "role": "member"})
    assert response.status_code == 400
    assert response.context["invitation_form"].errors["email"]
    assert not Invitation.objects.filter(organization=enterprise).exists()


def test_inviting_an_existing_member_shows_the_service_error(client, enterprise, partner, partner_manager):
    signed_in(client, partner_manager)
    url = reverse("stakeholders:invitation-create", args=[enterprise.pk])
    response = client.post(url, {"email": partner.email, "role": "member"})
    assert response.status_code == 400
    assert response.context["invitation_form"].errors["email"]


def test_invited_person_accepts_and_joins(client, enterprise, partner_manager):
    _inv, raw = invitation_create(actor=actor(partner_manager), organization=enterprise, email="joiner@example.org")
    joiner = f.UserFactory(email="joiner@example.org")
    url = reverse("stakeholders:invitation-accept", args=[raw])
    assert "joiner@example.org" in client.get(url).content.decode()
    signed_in(client, joiner)
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.active().filter(user=joiner, organization=enterprise).exists()


def test_invitation_for_another_address_is_refused_with_the_message(client, enterprise, partner_manager):
    _inv, raw = invitation_create(actor=actor(partner_manager), organization=enterprise, email="someone@example.org")
    stranger = f.UserFactory(email="stranger@example.org")
    signed_in(client, stranger)
    response = client.post(reverse("stakeholders:invitation-accept", args=[raw]))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=stranger).exists()


def test_unknown_invitation_link_says_it_is_not_valid(client):
    response = client.get(reverse("stakeholders:invitation-accept", args=["nope"]))
    assert response.status_code == 200
    assert response.context["invitation"] is None


def test_edit_organisation_with_bad_website_re_renders(client, enterprise, partner_manager):
    signed_in(client, partner_manager)
    url = reverse("stakeholders:organization-edit", args=[enterprise.pk])
    response = client.post(url, {"name_zh": "新名字", "website": "not a url"})
    assert response.status_code == 200
    assert response.context["form"].errors["website"]
    enterprise.refresh_from_db()
    assert enterprise.name_zh == "智图科技有限公司"


def test_register_organisation_makes_the_creator_owner(client, outsider):
    signed_in(client, outsider)
    response = client.post(
        reverse("stakeholders:organization-create"), {"kind": "university", "name_zh": "浙江大学", "region": "杭州"}
    )
    org = Organization.objects.get(name_zh="浙江大学")
    assert response.status_code == 302
    assert Membership.objects.get(organization=org, user=outsider).role == "owner"


def test_member_adds_a_capability_and_bad_input_re_renders(client, enterprise, partner):
    signed_in(client, partner)
    url = reverse("stakeholders:capability-create", args=[enterprise.pk])
    response = client.post(url, {"category": "rfid", "title_zh": ""})
    assert response.status_code == 400 and response.context["capability_form"].errors["title_zh"]
    client.post(url, {"category": "rfid", "title_zh": "自助借还机"})
    assert Capability.objects.filter(organization=enterprise, title_zh="自助借还机").exists()


# --- the person ------------------------------------------------------------------------------------------


def test_reader_sees_masked_card_and_saves_consent(client, reader):
    signed_in(client, reader)
    body = client.get(reverse("stakeholders:me")).content.decode()
    assert "****1234" in body
    client.post(reverse("stakeholders:me"), {"consent_trials": "on"})
    profile = ReaderProfile.objects.get(user=reader)
    assert profile.consent_trials and not profile.consent_contact


def test_reader_signs_up_with_a_card(client, library):
    data = {
        "username": "duzhe",
        "email": "duzhe@example.org",
        "password1": "Long-enough-pass-42",
        "password2": "Long-enough-pass-42",
        "home_library": library.pk,
        "card_number": "ZJ00012345",
        "consent_contact": "on",
        "accept_terms": "on",
    }
    response = client.post(reverse("stakeholders:reader-signup"), data)
    assert response.status_code == 302
    profile = ReaderProfile.objects.get(user__username="duzhe")
    assert profile.card_number_masked == "******2345" and profile.consent_contact


def test_reader_sign_up_with_a_bad_card_re_renders_with_the_error(client, library):
    data = {
        "username": "duzhe2",
        "email": "duzhe2@example.org",
        "password1": "Long-enough-pass-42",
        "password2": "Long-enough-pass-42",
        "home_library": library.pk,
        "card_number": "!!",
        "accept_terms": "on",
    }
    response = client.post(reverse("stakeholders:reader-signup"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["card_number"]
    assert not ReaderProfile.objects.filter(user__username="duzhe2").exists()


def test_switching_organisation_changes_the_acting_one(client, enterprise, library):
    user = f.member_of(enterprise, "member")
    Membership.objects.create(user=user, organization=library, role="member")
    signed_in(client, user)
    client.post(reverse("stakeholders:switch-organization"), {"organization": library.pk, "next": "/"})
    response = client.get(reverse("core:dashboard"))
    assert response.context["actor"].organization == library


def test_switching_to_a_foreign_organisation_is_refused(client, partner, other_org):
    signed_in(client, partner)
    response = client.post(reverse("stakeholders:switch-organization"), {"organization": other_org.pk}, follow=True)
    assert response.context["actor"].organization != other_org


def test_token_is_shown_once_then_only_its_prefix(client, partner):
    signed_in(client, partner)
    response = client.post(reverse("stakeholders:token-list"), {"name": "图书馆系统"})
    raw = response.context["raw_key"]
    assert raw.startswith("gj_") and raw in response.content.decode()
    again = client.get(reverse("stakeholders:token-list")).content.decode()
    assert raw not in again and ApiToken.objects.get(name="图书馆系统").prefix in again


def test_token_without_name_re_renders_with_the_error(client, partner):
    signed_in(client, partner)
    response = client.post(reverse("stakeholders:token-list"), {"name": ""})
    assert response.status_code == 400 and response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_token_revoke(client, partner):
    signed_in(client, partner)
    client.post(reverse("stakeholders:token-list"), {"name": "t"})
    token = ApiToken.objects.get()
    client.post(reverse("stakeholders:token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked(client, partner, outsider):
    signed_in(client, partner)
    client.post(reverse("stakeholders:token-list"), {"name": "mine"})
    token = ApiToken.objects.get()
    signed_in(client, outsider)
    assert client.post(reverse("stakeholders:token-revoke", args=[token.pk])).status_code == 404


# --- languages -------------------------------------------------------------------------------------------


def test_directory_renders_in_chinese_and_english(client, staff, enterprise):
    signed_in(client, staff)
    url = reverse("stakeholders:organization-list")
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "机构名录" in zh and "智图科技有限公司" in zh
    assert "Organisation directory" in en and "Zhitu Technology" in en


def test_language_switch_persists(client, staff):
    signed_in(client, staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("core:dashboard")).content.decode()
    assert re.search(r'<html lang="en"', body)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "仪表盘" in client.get(reverse("core:dashboard")).content.decode()


def test_password_reset_sends_a_link(client, staff):
    response = client.post(reverse("password_reset"), {"email": staff.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_library_manager_is_not_offered_to_verify_its_own_library(client, library, staff_manager):
    signed_in(client, staff_manager)
    body = client.get(reverse("stakeholders:organization-detail", args=[library.pk])).content.decode()
    assert reverse("stakeholders:organization-verify", args=[library.pk]) not in body


def test_token_expiring_in_the_past_re_renders_with_the_error(client, partner):
    signed_in(client, partner)
    response = client.post(reverse("stakeholders:token-list"), {"name": "old", "expires_at": "2000-01-01"})
    assert response.status_code == 400 and response.context["form"].errors["expires_at"]
    assert not ApiToken.objects.exists()


def test_organisation_page_query_count_is_the_same_for_1_and_20_members(
    client, enterprise, partner_manager, count_queries
):
    signed_in(client, partner_manager)
    url = reverse("stakeholders:organization-detail", args=[enterprise.pk])
    f.CapabilityFactory(organization=enterprise)
    client.get(url)  # warm the content-type cache that the permission check uses
    with count_queries() as q1:
        client.get(url)
    for _ in range(19):
        f.member_of(enterprise, "member")
        f.CapabilityFactory(organization=enterprise)
    with count_queries() as q20:
        response = client.get(url)
    assert len(response.context["memberships"]) == 20
    assert len(q20) == len(q1)


def test_capability_list_filters_by_category_exports_and_refreshes_in_place(client, staff, enterprise, other_org):
    f.CapabilityFactory(organization=enterprise, category="rfid", title_zh="自助借还机")
    f.CapabilityFactory(organization=other_org, category="ai", title_zh="图像识别")
    signed_in(client, staff)
    url = reverse("stakeholders:capability-list")
    partial = client.get(url, {"category": "ai"}, HTTP_HX_REQUEST="true").content.decode()
    assert "图像识别" in partial and "自助借还机" not in partial and "<html" not in partial
    text = client.get(url, {"category": "ai", "export": "csv"}).content.decode("utf-8-sig")
    assert "图像识别" in text and "自助借还机" not in text


def test_invitee_without_an_account_creates_one_and_joins(client, enterprise, partner_manager):
    _inv, raw = invitation_create(actor=actor(partner_manager), organization=enterprise, email="new.hire@example.org")
    url = reverse("stakeholders:invitation-accept", args=[raw])
    weak = client.post(url, {"username": "newhire", "password1": "123", "password2": "123"})
    assert weak.status_code == 400
    assert not Membership.objects.filter(user__username="newhire").exists()
    response = client.post(
        url,
        {
            "username": "newhire",
            "display_name": "新同事",
            "password1": "lantern-harbor-42",
            "password2": "lantern-harbor-42",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.active().get(user__username="newhire", organization=enterprise)
    assert membership.user.email == "new.hire@example.org"
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_invitee_whose_address_has_an_account_is_told_to_sign_in(client, enterprise, partner_manager):
    f.UserFactory(email="known@example.org")
    _inv, raw = invitation_create(actor=actor(partner_manager), organization=enterprise, email="known@example.org")
    response = client.post(
        reverse("stakeholders:invitation-accept", args=[raw]),
        {"username": "someone-new", "password1": "lantern-harbor-42", "password2": "lantern-harbor-42"},
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="someone-new").exists()
