"""Schemathesis against /api/schema/: every operation, as anonymous, reader, partner and staff.

No answer may be a 5xx, and every answer must match the documented schema (status code and body).
`make test` runs a bounded number of random examples per operation (FUZZ_EXAMPLES, default 3);
a deeper run adds schemathesis' coverage phase (boundary values of every parameter):
    FUZZ_EXAMPLES=50 FUZZ_COVERAGE=1 make test PYTEST_ARGS="tests/test_api_fuzz.py"
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from stakeholders import services
from stakeholders.access import build_actor
from tests import factories as f

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling the WSGI app directly fires request_finished, which would close the test's connection
    (Django's own test client disconnects the same handler)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema():
    from config.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # The coverage phase (boundary values of every parameter) multiplies the run time; `make test`
    # keeps it for FUZZ_COVERAGE=1 runs and otherwise relies on the random examples.
    loaded.config.phases.coverage.enabled = os.environ.get("FUZZ_COVERAGE") == "1"
    return loaded


schema = _load_schema()


def _token_for(user) -> str:
    _, raw = services.token_create(actor=build_actor(user), name="fuzz")
    return raw


def _headers(role: str, library, enterprise) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if role == "reader":
        user = f.ReaderFactory(home_library=library).user
    elif role == "partner":
        user = f.member_of(enterprise, "manager")
    else:
        user = f.member_of(library, "manager")
    return {"Authorization": f"Token {_token_for(user)}"}


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _fuzz(case, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_anonymous(case):
    _fuzz(case, {})


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_reader(case, library, enterprise):
    _fuzz(case, _headers("reader", library, enterprise))


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_partner(case, library, enterprise):
    _fuzz(case, _headers("partner", library, enterprise))


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff(case, library, enterprise):
    _fuzz(case, _headers("staff", library, enterprise))
