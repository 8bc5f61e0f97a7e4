"""The landing page and each portal's dashboard."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def chart(response, element_id):
    body = response.content.decode()
    start = body.index(f'id="{element_id}"')
    return json.loads(body[body.index(">", start) + 1 : body.index("</script>", start)])


def test_anonymous_sees_the_landing_page_and_dashboard_needs_sign_in(client):
    assert client.get(reverse("core:home")).status_code == 200
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_signed_in_home_goes_to_dashboard(client, staff):
    client.force_login(staff)
    assert client.get(reverse("core:home"))["Location"] == reverse("core:dashboard")


def test_staff_dashboard_counts_organisations_by_kind(client, staff, library, enterprise, government):
    f.OrganizationFactory(kind="enterprise")
    client.force_login(staff)
    response = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["portal"] == "staff"
    assert response.context["org_total"] == 4
    data = chart(response, "orgs-by-kind")
    assert dict(zip(data["labels"], data["values"], strict=True)) == {
        "Library": 1,
        "Government body": 1,
        "Enterprise": 2,
    }


def test_library_manager_sees_organisations_waiting_for_verification(client, staff_manager, staff):
    pending = f.OrganizationFactory(verification_status="unverified", name_zh="待审核机构")
    client.force_login(staff_manager)
    response = client.get(reverse("core:dashboard"))
    assert pending in response.context["to_verify"]
    client.force_login(staff)
    assert "to_verify" not in client.get(reverse("core:dashboard")).context


def test_partner_dashboard_counts_its_own_capabilities(client, partner, enterprise, other_org):
    f.CapabilityFactory(organization=enterprise)
    f.CapabilityFactory(organization=other_org)
    client.force_login(partner)
    response = client.get(reverse("core:dashboard"))
    assert response.context["portal"] == "partner"
    assert response.context["own_capability_count"] == 1
    assert response.context["capability_total"] == 2


def test_government_dashboard_counts_unverified(client, government):
    officer = f.member_of(government, "member")
    f.OrganizationFactory(verification_status="unverified")
    client.force_login(officer)
    response = client.get(reverse("core:dashboard"))
    assert response.context["portal"] == "government"
    assert response.context["partners_unverified"] == 1


def test_reader_dashboard_shows_the_masked_card_only(client, reader):
    client.force_login(reader)
    response = client.get(reverse("core:dashboard"))
    assert response.context["portal"] == "reader"
    assert "****1234" in response.content.decode()


def test_person_without_organisation_is_offered_to_register_one(client):
    client.force_login(f.UserFactory())
    response = client.get(reverse("core:dashboard"))
    assert response.context["portal"] == "none"
    assert reverse("stakeholders:organization-create") in response.content.decode()


@pytest.mark.parametrize("language,text", [("zh-hans", "仪表盘"), ("en", "Dashboard")])
def test_dashboard_renders_in_both_languages(client, staff, language, text):
    client.force_login(staff)
    assert text in client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_dashboard_has_no_inline_script(client, staff, library):
    client.force_login(staff)
    body = client.get(reverse("core:dashboard")).content.decode()
    for chunk in body.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head


def test_locked_out_page_renders_in_both_languages(client):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        assert "登录失败次数过多" in render_to_string("registration/locked_out.html")
    with translation.override("en"):
        assert "Too many failed sign-ins" in render_to_string("registration/locked_out.html")


def test_only_the_most_specific_menu_entry_is_active(client, staff):
    client.force_login(staff)
    entries = client.get(reverse("stakeholders:capability-list")).context["nav_entries"]
    leaves = [child for e in entries for child in e.get("children", [e])]
    active = [str(e["url"]) for e in leaves if e["active"]]
    assert active == [reverse("stakeholders:capability-list")]
    # Its dropdown is lit too, and only that one.
    assert [e["children"][0]["url"] for e in entries if e["active"]] == [reverse("stakeholders:organization-list")]


def test_a_group_with_one_visible_entry_is_not_a_dropdown(client, reader):
    client.force_login(reader)
    entries = client.get(reverse("core:dashboard")).context["nav_entries"]
    for entry in entries:
        assert len(entry.get("children", [1, 2])) >= 2
