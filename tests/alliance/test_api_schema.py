"""The alliance part of /api/schema/ is complete and warning-free, so Swagger shows every body correctly."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_the_alliance_part_of_the_schema_has_no_warnings(tmp_path, capsys):
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yml"))
    output = capsys.readouterr()
    warnings = [line for line in (output.err + output.out).splitlines() if "alliance" in line.lower()]
    assert not warnings, warnings


def test_write_operations_describe_their_bodies_and_the_transition_names_the_statuses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    transition = paths["/api/v1/projects/{id}/transition/"]["post"]
    body = transition["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    to = schema["components"]["schemas"][body]["properties"]["to"]
    assert to["allOf"][0]["$ref"].endswith("/ProjectStatusEnum")
    assert {"400", "403", "404", "409"} <= set(transition["responses"])
    upload = paths["/api/v1/deliverables/{id}/versions/"]["post"]["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}
    for path in (
        "/api/v1/alliances/",
        "/api/v1/needs/",
        "/api/v1/projects/",
        "/api/v1/trials/",
        "/api/v1/corrections/",
    ):
        assert "requestBody" in paths[path]["post"], path
        assert "page" in {p["name"] for p in paths[path]["get"]["parameters"]}, path
