"""History: every write kept with its actor and request, shown as a readable timeline to those who may see it."""

from __future__ import annotations

import pghistory
import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.history import timeline
from core.middleware import HistoryMiddleware, RequestIdMiddleware
from stakeholders.access import build_actor
from stakeholders.models import Membership, Organization
from stakeholders.services import organization_verify
from tests import factories as f
from tests.permissions import covers


def _history_url(org, api=False):
    name = "history" if api else "core:history"
    return reverse(name, args=["stakeholders", "organization", org.pk])


def test_a_change_through_a_request_records_actor_request_id_and_diff(rf, library, staff_manager):
    org = f.OrganizationFactory(kind="enterprise", verification_status="unverified")

    def view(request):
        organization_verify(actor=build_actor(request.user), organization=org, approve=True, note="")
        return HttpResponse("ok")

    request = rf.post("/org/verify/", HTTP_X_REQUEST_ID="req-verify-0001")
    request.user = staff_manager
    RequestIdMiddleware(HistoryMiddleware(view))(request)

    with translation.override("en"):
        newest = timeline(org)[0]
    assert newest.actor == staff_manager.shown_name
    assert newest.request_id == "req-verify-0001"
    changed = {c.field: (c.old, c.new) for c in newest.changes}
    assert changed["verification_status"] == ("Not verified", "Verified")
    assert changed["verified_by"] == ("—", str(staff_manager))


def test_bulk_queryset_updates_are_kept_with_the_reason(db):
    operator = f.UserFactory(display_name="Operator Wang")
    orgs = [f.OrganizationFactory(region="杭州"), f.OrganizationFactory(region="杭州")]

    with pghistory.context(user=operator.pk, reason="regions renamed by the province"):
        Organization.objects.filter(pk__in=[o.pk for o in orgs]).update(region="杭州市")

    for org in orgs:
        newest = timeline(org)[0]
        assert newest.actor == "Operator Wang"
        assert newest.reason == "regions renamed by the province"
        assert [(c.field, c.old, c.new) for c in newest.changes] == [("region", "杭州", "杭州市")]


def test_saves_that_change_nothing_add_no_entry(db):
    org = f.OrganizationFactory()
    before = len(timeline(org))
    org.save()
    assert len(timeline(org)) == before


def test_history_page_shows_each_change_with_its_actor(client, library, staff_manager, enterprise):
    with pghistory.context(user=staff_manager.pk):
        Organization.objects.filter(pk=enterprise.pk).update(name_en="Zhitu Tech")
        Organization.objects.filter(pk=enterprise.pk).update(contact_name="李雷")
    client.force_login(staff_manager)

    page = client.get(_history_url(enterprise)).content.decode()

    assert "Zhitu Technology" in page and "Zhitu Tech</ins>" in page
    assert "李雷" in page
    assert page.count(staff_manager.shown_name) >= 2


def test_history_is_hidden_from_those_who_cannot_see_the_object(client, api, reader, enterprise):
    client.force_login(reader)  # readers see libraries only
    assert client.get(_history_url(enterprise)).status_code == 404
    assert api(reader).get(_history_url(enterprise, api=True)).status_code == 404
    assert api(None).get(_history_url(enterprise, api=True)).status_code in (401, 403)


@pytest.mark.parametrize("path", ["core/user", "stakeholders/nosuchmodel"])
def test_unregistered_models_have_no_history_route(api, staff_manager, path):
    assert api(staff_manager).get(f"/api/v1/history/{path}/1/").status_code == 404


def test_history_api_lists_changes_newest_first(api, partner, enterprise):
    with pghistory.context(user=partner.pk, request_id="req-api-00001"):
        Organization.objects.filter(pk=enterprise.pk).update(website="https://zhitu.example.cn")

    response = api(partner).get(_history_url(enterprise, api=True), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    newest = response.json()[0]
    assert newest["actor"] == partner.shown_name
    assert newest["request_id"] == "req-api-00001"
    assert newest["changes"] == [
        {"field": "website", "label": "website", "old": "—", "new": "https://zhitu.example.cn"}
    ]
    assert response.json()[-1]["action"] == "create"


def test_history_queries_do_not_grow_with_the_number_of_changes(db, count_queries):
    org = f.OrganizationFactory()
    with count_queries() as few:
        timeline(org)
    for n in range(10):
        Organization.objects.filter(pk=org.pk).update(region=f"区{n}")
    with count_queries() as many:
        assert len(timeline(org)) == 11
    assert len(many) == len(few)


@covers("GET /api/v1/history/{app_label}/{model}/{id}/", "anonymous", "unrelated", "member", "manager")
def test_membership_history_api_for_the_four_roles(api, enterprise, partner, partner_manager, outsider):
    membership = Membership.objects.get(user=partner, organization=enterprise)
    url = reverse("history", args=["stakeholders", "membership", membership.pk])

    assert api(None).get(url).status_code in (401, 403)
    assert api(outsider).get(url).status_code == 404
    assert api(partner).get(url).status_code == 200
    assert api(partner_manager).get(url).json()[0]["action"] == "create"


def test_the_timeline_include_renders_for_an_object(rf, enterprise, partner):
    with pghistory.context(user=partner.pk):
        Organization.objects.filter(pk=enterprise.pk).update(region="宁波")
    html = render_to_string("core/_history_timeline.html", {"object": enterprise}, request=rf.get("/org/7/"))
    assert "宁波" in html and partner.shown_name in html
    assert reverse("core:history", args=["stakeholders", "organization", enterprise.pk]) + "?back=%2Forg%2F7%2F" in html


def test_history_page_links_back_only_to_this_site(client, partner, enterprise):
    client.force_login(partner)
    url = _history_url(enterprise)
    assert client.get(url, {"back": "/org/7/"}).context["back"] == "/org/7/"
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        assert client.get(url, {"back": evil}).context["back"] == ""


def test_a_reason_given_by_the_user_is_kept_with_the_change(library, staff_manager):
    org = f.OrganizationFactory(kind="enterprise", verification_status="unverified")
    organization_verify(actor=build_actor(staff_manager), organization=org, approve=False, note="licence expired")
    assert timeline(org)[0].reason == "licence expired"
