"""/api/v1/capabilities/: what organisations bring, written by their own members."""

from __future__ import annotations

import pytest

from stakeholders.models import Capability
from tests import factories as f
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def capability(enterprise):
    return f.CapabilityFactory(organization=enterprise, title_zh="RFID 自助借还", keywords="RFID 自助")


def url(cap, suffix=""):
    return f"/api/v1/capabilities/{cap.pk}/{suffix}"


@covers("GET /api/v1/capabilities/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/capabilities/{id}/", "anonymous", "unrelated", "member", "manager")
def test_capabilities_of_directory_organisations_are_visible_to_members_of_any_organisation(
    api, capability, partner, partner_manager, outsider
):
    assert_error(api().get("/api/v1/capabilities/"), 401)
    assert_error(api().get(url(capability)), 401)
    for user in (outsider, partner, partner_manager):
        assert ids(api(user).get("/api/v1/capabilities/")) == {capability.pk}
        assert api(user).get(url(capability)).json()["organization"]["name_zh"] == "智图科技有限公司"


def test_capabilities_of_an_archived_organisation_are_a_404_to_others(api, capability, enterprise, outsider):
    enterprise.archived_at = enterprise.created_at
    enterprise.save()
    assert ids(api(outsider).get("/api/v1/capabilities/")) == set()
    assert_error(api(outsider).get(url(capability)), 404)


def test_capabilities_filter_by_organisation_category_kind_and_search(api, capability, library, outsider):
    other = f.CapabilityFactory(organization=library, category="training", title_zh="馆员培训", title_en="Training")
    assert ids(api(outsider).get("/api/v1/capabilities/", {"category": "training"})) == {other.pk}
    assert ids(api(outsider).get("/api/v1/capabilities/", {"organization__kind": "enterprise"})) == {capability.pk}
    assert ids(api(outsider).get("/api/v1/capabilities/", {"organization": library.pk})) == {other.pk}
    assert api(outsider).get("/api/v1/capabilities/", {"q": "RFID"}).json()["results"][0]["id"] == capability.pk
    assert_error(api(outsider).get("/api/v1/capabilities/", {"category": "magic"}), 400, field="category")


@covers("POST /api/v1/capabilities/", "anonymous", "unrelated", "member", "manager")
def test_the_organisations_members_describe_what_it_offers(api, enterprise, partner, partner_manager, outsider):
    body = {"organization": enterprise.pk, "category": "iot", "title_zh": "物联网书架"}
    for client, status in ((api(), 401), (api(outsider), 403)):
        assert_error(client.post("/api/v1/capabilities/", body), status)
        assert not Capability.objects.exists()
    for user in (partner, partner_manager):
        response = api(user).post("/api/v1/capabilities/", body)
        assert response.status_code == 201, response.content
        assert response.json()["organization"]["id"] == enterprise.pk
    assert Capability.objects.filter(organization=enterprise).count() == 2


def test_an_observer_cannot_add_capabilities(api, enterprise):
    observer = f.member_of(enterprise, "observer")
    body = {"organization": enterprise.pk, "category": "iot", "title_zh": "物联网书架"}
    assert_error(api(observer).post("/api/v1/capabilities/", body), 403)
    assert not Capability.objects.exists()


def test_a_bad_capability_is_a_400(api, enterprise, partner):
    assert_error(api(partner).post("/api/v1/capabilities/", {"organization": enterprise.pk, "category": "magic", "title_zh": "x"}), 400, field="category")  # fmt: skip
    assert_error(api(partner).post("/api/v1/capabilities/", {"organization": enterprise.pk, "category": "iot"}), 400, field="title_zh")  # fmt: skip
    assert not Capability.objects.exists()


@covers("PATCH /api/v1/capabilities/{id}/", "anonymous", "unrelated", "member", "manager")
def test_only_the_organisations_members_change_a_capability(api, capability, partner, partner_manager, outsider):
    for client, status in ((api(), 401), (api(outsider), 403)):
        assert_error(client.patch(url(capability), {"title_zh": "改"}), status)
        capability.refresh_from_db()
        assert capability.title_zh == "RFID 自助借还"
    assert api(partner).patch(url(capability), {"title_zh": "RFID 智能书架"}).json()["title_zh"] == "RFID 智能书架"
    assert api(partner_manager).patch(url(capability), {"keywords": "RFID"}).status_code == 200
    capability.refresh_from_db()
    assert (capability.title_zh, capability.keywords, capability.category) == ("RFID 智能书架", "RFID", "rfid")


@covers("POST /api/v1/capabilities/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_only_the_organisations_members_archive_a_capability(api, capability, enterprise, partner, outsider):
    for client, status in ((api(), 401), (api(outsider), 403)):
        assert_error(client.post(url(capability, "archive/")), status)
        capability.refresh_from_db()
        assert capability.archived_at is None
    assert api(partner).post(url(capability, "archive/")).json()["archived_at"] is not None
    assert_error(api(partner).post(url(capability, "archive/")), 404)  # archived ones leave the directory
    second = f.CapabilityFactory(organization=enterprise)
    manager = f.member_of(enterprise, "manager")
    assert api(manager).post(url(second, "archive/")).status_code == 200
