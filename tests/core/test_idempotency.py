"""Idempotency keys (core.api.idempotency): a repeated write is answered from the first, never done twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from core.api.idempotency import sweep_expired
from core.models import IdempotencyKey
from core.tasks import sweep_idempotency_keys
from feedback import services as feedback_services
from feedback.models import Feedback
from stakeholders.access import build_actor
from tests import factories as f
from tests.permissions import covers

API = "/api/v1/feedback/"
BODY = {"kind": "need", "text": "希望周末延长开放时间"}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _post(user, key: str | None, body=None, path: str = API):
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return _client(user).post(path, body or BODY, format="json", **headers)


@pytest.mark.django_db
@covers("POST /api/v1/feedback/", "member")
def test_a_repeated_submission_with_the_same_key_is_answered_from_the_first_and_stored_once(reader):
    first = _post(reader, "k-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = _post(reader, "k-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Feedback.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.user, row.path, row.key, row.status_code) == (reader, API, "k-1", 201)
    assert row.response["id"] == first.json()["id"]
    assert _post(reader, "k-2").json()["id"] != first.json()["id"], "a new key is a new write"
    assert Feedback.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_refused_and_nothing_is_written(reader):
    assert _post(reader, "k-1").status_code == 201
    refused = _post(reader, "k-1", {"kind": "need", "text": "别的内容"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "already used for a different request" in error["message"]
    assert list(Feedback.objects.values_list("text", flat=True)) == [BODY["text"]]


@pytest.mark.django_db
def test_keys_belong_to_one_user_and_one_path(reader, library, staff_manager):
    other = f.ReaderFactory(home_library=library).user
    mine, theirs = _post(reader, "shared"), _post(other, "shared")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"], "another user's key never replays someone else's answer"
    assert Feedback.objects.filter(reader__user=other).count() == 1
    survey = {"library": library.pk, "title": "阅览室满意度", "questions": [{"kind": "rating", "text": "打分"}]}
    assert _post(staff_manager, "shared", survey, "/api/v1/surveys/").status_code == 201
    staff_body = {**BODY, "library": library.pk}
    assert _post(staff_manager, "shared", staff_body).status_code == 201, (
        "the same key on another path is another write"
    )
    assert IdempotencyKey.objects.count() == 4


@pytest.mark.django_db
def test_a_refused_write_keeps_no_key_so_the_corrected_request_may_use_it(reader):
    refused = _post(reader, "k-1", {"kind": "need", "text": ""})
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert _post(reader, "k-1").status_code == 201
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_or_without_a_user_nothing_is_remembered(reader, library, staff_manager):
    assert _post(reader, None).status_code == 201
    assert _post(reader, None).status_code == 201
    feedback_services.policy_set(actor=build_actor(staff_manager), library=library, allow_anonymous=True)
    anonymous = APIClient()
    body = {**BODY, "library": library.pk}
    for _ in range(2):
        assert anonymous.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="kiosk").status_code == 201
    assert Feedback.objects.count() == 4
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "with space", "长", "x" * 256])
def test_a_malformed_key_is_refused(reader, key):
    response = _post(reader, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_expired_keys_are_forgotten_and_swept(reader, settings):
    first = _post(reader, "k-1").json()["id"]
    _post(reader, "k-2")
    row = IdempotencyKey.objects.get(key="k-1")
    assert timedelta(hours=23) < row.expires_at - row.created_at <= timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    IdempotencyKey.objects.filter(key="k-1").update(expires_at=timezone.now() - timedelta(seconds=1))
    # Before any sweep: the expired key is a fresh key again.
    again = _post(reader, "k-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["id"] != first
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    IdempotencyKey.objects.create(
        user=reader, path=API, key="k-3", fingerprint="-", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert sweep_idempotency_keys() == 2
    assert sweep_expired() == 0, "a second sweep finds nothing"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-3"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_key_write_once(reader, monkeypatch):
    submit = feedback_services.feedback_submit

    def slow_submit(**kwargs):
        feedback = submit(**kwargs)
        time.sleep(0.5)  # the second request arrives while the first still holds its transaction
        return feedback

    monkeypatch.setattr(feedback_services, "feedback_submit", slow_submit)
    answers: list = []

    def post() -> None:
        try:
            answers.append(_post(reader, "race"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_idempotent_operations(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    def header(path: str, method: str):
        params = schema["paths"][path][method].get("parameters", [])
        return next((p for p in params if p["in"] == "header" and p["name"] == "Idempotency-Key"), None)

    for path, method in [
        ("/api/v1/feedback/", "post"),
        ("/api/v1/expenditures/", "post"),
        ("/api/v1/tranches/{id}/release/", "post"),
        ("/api/v1/funding-sources/", "post"),
        ("/api/v1/risks/", "post"),
    ]:
        param = header(path, method)
        assert param is not None and not param.get("required", False), (path, method)
        assert "422" in schema["paths"][path][method]["responses"], (path, method)
    assert header("/api/v1/feedback/", "get") is None
    assert header("/api/v1/tokens/", "post") is None, "a token's key is shown once: never stored for a replay"
    assert "503" in schema["paths"]["/api/v1/feedback/"]["get"]["responses"]
