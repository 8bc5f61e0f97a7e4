"""A database that cannot be reached answers a clear 503 (core.unavailable), in the API and on pages."""

from __future__ import annotations

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import RequestFactory
from django.utils import translation

from core.unavailable import server_error
from feedback.api.views import FeedbackViewSet
from feedback.views import staff
from tests.permissions import covers


def _down(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.mark.django_db
@covers("GET /api/v1/feedback/", "manager")
def test_the_api_answers_503_with_the_error_shape_when_the_database_is_down(api, staff_manager, monkeypatch):
    monkeypatch.setattr(FeedbackViewSet, "selector", staticmethod(_down))
    response = api(staff_manager).get("/api/v1/feedback/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "code": "database_unavailable",
            "message": "The database cannot be reached for a moment. Please try again in a few seconds.",
            "fields": {},
        }
    }


@pytest.mark.django_db
def test_a_page_answers_the_translated_503_page_when_the_database_is_down(client, staff_manager, monkeypatch):
    client.force_login(staff_manager)
    monkeypatch.setattr(staff, "actor_for", _down)  # the view's first query
    response = client.get("/feedback/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "暂时无法使用" in html and "数据库暂时无法连接" in html
    assert 'href="/feedback/inbox/"' in html, "try again: the same page"


def test_a_database_error_raised_in_a_middleware_answers_503_and_other_errors_stay_500():
    request = RequestFactory().get("/org/")
    with translation.override("en"):
        try:
            _down()
        except OperationalError:
            page = server_error(request)
        try:
            raise ProgrammingError("a bug, not an outage")
        except ProgrammingError:
            bug = server_error(request)
    assert page.status_code == 503 and b"Briefly unavailable" in page.content
    assert bug.status_code == 500
    api_request = RequestFactory().get("/api/v1/feedback/")
    try:
        _down()
    except OperationalError:
        answer = server_error(api_request)
    assert answer.status_code == 503 and b'"database_unavailable"' in answer.content
