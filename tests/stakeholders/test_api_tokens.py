"""/api/v1/tokens/: personal and integration tokens; the key is shown once and authenticates until revoked."""

from __future__ import annotations

import pytest

from stakeholders import services
from stakeholders.access import build_actor
from stakeholders.models import ApiToken
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration_token(enterprise, partner_manager):
    token, _raw = services.token_create(actor=build_actor(partner_manager), name="馆藏同步", organization=enterprise)
    return token


def by_token(api, raw):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@covers("GET /api/v1/tokens/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/tokens/{id}/", "anonymous", "unrelated", "member", "manager")
def test_managers_see_their_organisations_integration_tokens_never_the_key(
    api, integration_token, partner, partner_manager, outsider
):
    detail = f"/api/v1/tokens/{integration_token.pk}/"
    assert_error(api().get("/api/v1/tokens/"), 401)
    assert_error(api().get(detail), 401)
    for user in (outsider, partner):
        assert ids(api(user).get("/api/v1/tokens/")) == set()
        assert_error(api(user).get(detail), 404)
    assert ids(api(partner_manager).get("/api/v1/tokens/")) == {integration_token.pk}
    body = api(partner_manager).get(detail).json()
    assert body["prefix"] == integration_token.prefix
    assert "key" not in body and "key_hash" not in body and integration_token.key_hash not in str(body)


@covers("POST /api/v1/tokens/", "anonymous", "unrelated", "member", "manager")
def test_anyone_signed_in_creates_a_personal_token_and_only_managers_an_integration_one(
    api, enterprise, partner, partner_manager, outsider
):
    assert_error(api().post("/api/v1/tokens/", {"name": "脚本"}), 401)
    for user in (outsider, partner):
        assert_error(api(user).post("/api/v1/tokens/", {"name": "同步", "organization": enterprise.pk}), 403)
        assert not ApiToken.objects.filter(organization=enterprise).exists()
        response = api(user).post("/api/v1/tokens/", {"name": "脚本"})
        assert response.status_code == 201, response.content
        assert response.json()["key"].startswith("gj_")
        assert response.json()["user"]["id"] == user.pk
    response = api(partner_manager).post("/api/v1/tokens/", {"name": "同步", "organization": enterprise.pk})
    assert response.status_code == 201, response.content
    assert response.json()["organization"]["id"] == enterprise.pk
    assert response.json()["user"]["username"] == f"integration-{enterprise.pk}"
    # The key is shown once: listing it again never repeats it.
    assert "key" not in api(partner_manager).get(f"/api/v1/tokens/{response.json()['id']}/").json()


def test_a_token_needs_a_name_and_a_future_expiry(api, partner):
    assert_error(api(partner).post("/api/v1/tokens/", {"name": ""}), 400, field="name")
    past = {"name": "脚本", "expires_at": "2020-01-01T00:00:00Z"}
    assert_error(api(partner).post("/api/v1/tokens/", past), 400, field="expires_at")
    assert not ApiToken.objects.exists()


@covers("POST /api/v1/tokens/{id}/revoke/", "anonymous", "unrelated", "member", "manager")
def test_only_managers_revoke_integration_tokens(api, integration_token, partner, partner_manager, outsider):
    revoke = f"/api/v1/tokens/{integration_token.pk}/revoke/"
    for client, status in ((api(), 401), (api(outsider), 404), (api(partner), 404)):
        assert_error(client.post(revoke), status)
        integration_token.refresh_from_db()
        assert integration_token.revoked_at is None
    assert api(partner_manager).post(revoke).json()["is_active"] is False
    assert_error(api(partner_manager).post(revoke), 409)


def test_a_created_token_authenticates_until_revoked(api, partner):
    created = api(partner).post("/api/v1/tokens/", {"name": "脚本"}).json()
    client = by_token(api, created["key"])
    assert client.get("/api/v1/me/").json()["user"]["username"] == partner.username
    assert client.post(f"/api/v1/tokens/{created['id']}/revoke/").status_code == 200
    assert_error(by_token(api, created["key"]).get("/api/v1/me/"), 401, code="authentication_failed")
    assert_error(by_token(api, "gj_made-up").get("/api/v1/me/"), 401)


def test_an_integration_token_acts_for_its_organisation(api, enterprise, library, partner_manager):
    _token, raw = services.token_create(actor=build_actor(partner_manager), name="同步", organization=enterprise)
    client = by_token(api, raw)
    me = client.get("/api/v1/me/").json()
    assert me["acting_organization"]["id"] == enterprise.pk
    assert me["user"]["is_integration"] is True
    response = client.post(
        "/api/v1/capabilities/", {"organization": enterprise.pk, "category": "iot", "title_zh": "同步接口"}
    )
    assert response.status_code == 201, response.content
    # It acts only for its organisation: a manager-only write there is refused, others' rows are unreachable.
    assert_error(client.patch(f"/api/v1/organizations/{enterprise.pk}/", {"region": "北京"}), 403)
    assert_error(client.post("/api/v1/capabilities/", {"organization": library.pk, "category": "iot", "title_zh": "x"}), 403)  # fmt: skip
