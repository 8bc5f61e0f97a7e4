"""Services added for the risk pages: setting a risk's status by hand, and the helpers the pages use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import DomainError, NotAllowed
from risk import services
from risk.models import Acceptance
from tests.alliance.flow import act

pytestmark = pytest.mark.django_db


def test_closing_a_risk_takes_it_off_the_sweeps_and_reopening_schedules_a_review(w):
    risk = services.risk_set_status(actor=act(w.p.librarian), risk=w.risk, status="closed")
    assert risk.status == "closed" and risk.sweep_at is None
    risk = services.risk_set_status(actor=act(w.p.librarian), risk=risk, status="open")
    assert risk.status == "open"
    assert abs((risk.next_review_at - timezone.now()) - timedelta(days=90)) < timedelta(minutes=1)
    assert risk.sweep_at == risk.next_review_at


def test_sending_a_risk_to_review_makes_the_review_due_now(w):
    risk = services.risk_set_status(actor=act(w.p.librarian), risk=w.risk, status="review")
    assert risk.status == "review" and risk.next_review_at <= timezone.now() and risk.sweep_at is not None


def test_leaving_accepted_ends_the_acceptance(w):
    services.acceptance_give(
        actor=act(w.p.librarian), risk=w.risk, rationale="可承受", expires_at=timezone.now() + timedelta(days=30)
    )
    services.risk_set_status(actor=act(w.p.librarian), risk=w.risk, status="treating")
    assert Acceptance.objects.get(risk=w.risk).ended_at is not None


def test_accepted_is_not_set_by_hand_and_only_keepers_set_a_status(w):
    with pytest.raises(DomainError) as exc:
        services.risk_set_status(actor=act(w.p.librarian), risk=w.risk, status="accepted")
    assert "status" in exc.value.fields
    with pytest.raises(NotAllowed):
        services.risk_set_status(actor=act(w.p.supplier), risk=w.risk, status="closed")
    w.risk.refresh_from_db()
    assert w.risk.status == "open"


def test_party_organizations_and_may_review(w, other_org):
    ids = set(services.party_organizations(w.register).values_list("pk", flat=True))
    assert {w.p.library.pk, w.p.enterprise.pk, w.p.university.pk} <= ids and other_org.pk not in ids
    assert services.may_review(act(w.p.librarian), w.risk)
    assert not services.may_review(act(w.p.supplier), w.risk)
    assert services.preassessment_provider(w.project).organization == w.p.enterprise
