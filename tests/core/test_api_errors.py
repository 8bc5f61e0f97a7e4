"""Every API error has the same JSON shape with a stable code and a message; nothing leaks as a 500."""

from __future__ import annotations

import pytest

from tests.stakeholders.api_helpers import assert_error

pytestmark = pytest.mark.django_db


def test_unauthenticated_is_a_401_with_a_code(api):
    assert_error(api().get("/api/v1/organizations/"), 401, code="not_authenticated")


def test_a_missing_object_is_a_404_with_a_code(api, partner):
    assert_error(api(partner).get("/api/v1/organizations/999999/"), 404, code="not_found")


def test_a_non_numeric_id_is_a_404_not_a_500(api, partner):
    assert_error(api(partner).get("/api/v1/organizations/abc/"), 404, code="not_found")


def test_an_unsupported_method_is_a_405_with_a_code(api, partner, enterprise):
    assert_error(api(partner).put(f"/api/v1/organizations/{enterprise.pk}/", {}), 405, code="method_not_allowed")


def test_malformed_json_is_a_400(api, partner):
    response = api(partner).generic("POST", "/api/v1/organizations/", "{not json", content_type="application/json")
    assert_error(response, 400, code="parse_error")


def test_a_field_error_names_the_field_in_the_message(api, partner):
    error = assert_error(api(partner).post("/api/v1/organizations/", {"kind": "university"}), 400, field="name_zh")
    assert error["message"].startswith("name_zh:")
