"""Money is recorded once: spending (multipart, with its receipt) and releases repeated with one Idempotency-Key."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance.models import Expenditure
from core.models import IdempotencyKey
from tests.alliance.api_helpers import client, created, ok, pdf_upload
from tests.alliance.funding_flow import funded, released
from tests.permissions import covers

pytestmark = pytest.mark.django_db


@covers("POST /api/v1/expenditures/", "manager")
def test_spending_sent_twice_with_one_key_is_recorded_once(p):
    w = released(p)

    def body(amount: str = "60000"):
        return {
            "allocation": w.allocation.pk, "amount": amount, "category": "equipment",
            "spent_on": timezone.localdate().isoformat(), "receipt": pdf_upload("invoice.pdf"),
        }  # fmt: skip

    def post(amount: str = "60000"):
        return client(p.supplier).post(
            "/api/v1/expenditures/", body(amount), format="multipart", HTTP_IDEMPOTENCY_KEY="invoice-2026-001"
        )

    first = created(post())
    again = post()
    assert created(again) == first and again["Idempotent-Replayed"] == "true"
    assert Expenditure.objects.count() == 1
    changed = post("61000")
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"
    assert Expenditure.objects.count() == 1


@covers("POST /api/v1/tranches/{id}/release/", "manager")
def test_a_release_repeated_with_its_key_answers_the_first_release(p):
    w = funded(p, accepted=True)
    path = f"/api/v1/tranches/{w.tranche.pk}/release/"
    first = ok(client(p.officer).post(path, HTTP_IDEMPOTENCY_KEY="release-1"))
    assert first["status"] == "released"
    again = client(p.officer).post(path, HTTP_IDEMPOTENCY_KEY="release-1")
    assert ok(again) == first and again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.filter(user=p.officer, path=path).count() == 1
