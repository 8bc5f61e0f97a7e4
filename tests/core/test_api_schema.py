"""The OpenAPI schema lists every /api/v1/ route, and the docs page loads nothing from a CDN."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_v1_routes() -> set[str]:
    """Every concrete /api/v1/ route as a schema path template ({id} for the pk)."""
    routes: set[str] = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not route.startswith("api/v1/") or "format" in route or route in ("api/v1/", "api/v1/^$"):
                    continue
                route = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route.strip("^$"))
                route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
                route = re.sub(r"<(?:\w+:)?pk>", "{id}", route)
                route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                if route.rstrip("/") in ("api/v1", "api/v1/^"):
                    continue
                routes.add("/" + route.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return routes


def test_schema_is_served_and_lists_every_api_v1_route(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    routes = _api_v1_routes()
    assert "/api/v1/organizations/{id}/verify/" in routes  # the walk finds routes at all
    missing = sorted(r for r in routes if r not in schema["paths"])
    assert not missing, missing
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_describes_the_token_key_only_on_creation(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    created = schema["paths"]["/api/v1/tokens/"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"]["$ref"].endswith("/TokenCreated")
    assert "key" in schema["components"]["schemas"]["TokenCreated"]["properties"]
    assert "key" not in schema["components"]["schemas"]["Token"]["properties"]


def test_reader_sign_up_is_public_in_the_schema(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert {} in schema["paths"]["/api/v1/readers/register/"]["post"]["security"]
    assert {} not in schema["paths"]["/api/v1/organizations/"]["get"].get("security", [])


def test_docs_load_only_local_scripts(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)""", html)
    assert sources, html
    assert not [s for s in sources if re.match(r"^(https?:)?//", s)], sources


def test_schema_is_valid_openapi_and_the_stakeholders_part_has_no_warnings(tmp_path, capsys):
    # --validate checks the document against the OpenAPI 3 JSON schema; a warning means a body or parameter
    # drf-spectacular could not describe (and Swagger would show wrongly).
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yml"))
    output = capsys.readouterr()
    warnings = [line for line in (output.err + output.out).splitlines() if "stakeholders" in line]
    assert not warnings, warnings
    assert "/api/v1/me/switch/" in (tmp_path / "schema.yml").read_text()
