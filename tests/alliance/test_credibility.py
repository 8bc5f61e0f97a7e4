"""Credibility from the record, checked against numbers worked out by hand, and its use in partner matching."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alliance import services
from alliance.models import CorrectionRequest
from alliance.selectors_contracts import blended_credibility, partner_credibility
from alliance.services import contracts as cs
from tests.alliance.contract_helpers import draft, provider_manager, sign_all
from tests.alliance.flow import act, deliver, new_project, respond_all, start_trial, to_development

pytestmark = pytest.mark.django_db


def _record(p):
    """Five milestones/corrections due (2 on time), 3 deviations on 1 version, ratings 5/4/3, 3 closed contracts."""
    today = timezone.localdate()
    project = new_project(p)
    to_development(p, project)
    lib = act(p.librarian)
    late = services.milestone_add(actor=lib, project=project, title="迟交", due_on=today - timedelta(days=10))
    early = services.milestone_add(actor=lib, project=project, title="按期", due_on=today + timedelta(days=1))
    services.milestone_add(actor=lib, project=project, title="逾期未做", due_on=today - timedelta(days=5))
    services.milestone_add(actor=lib, project=project, title="未到期", due_on=today + timedelta(days=20))
    services.milestone_complete(actor=lib, milestone=late)
    services.milestone_complete(actor=lib, milestone=early)
    trial = start_trial(p, project, deliver(p, project))
    respond_all(p, trial, [5, 4, 3])
    raised = [
        services.correction_raise(
            actor=lib, project=project, trial=trial, title=f"偏差{i}", severity="low", due_on=today + timedelta(days=5)
        )
        for i in range(3)
    ]
    services.correction_answer(actor=act(p.supplier), correction=raised[0], answer="已修复")
    CorrectionRequest.objects.filter(pk=raised[2].pk).update(due_on=today - timedelta(days=2))
    manager = provider_manager(p)
    completed = cs.contract_activate(actor=act(p.manager), contract=sign_all(p, draft(p), manager))
    cs.contract_complete(actor=act(p.manager), contract=completed)
    cs.contract_terminate(
        actor=act(p.manager), contract=sign_all(p, draft(p), manager), reason="逾期", breached_by=p.enterprise
    )
    cs.contract_terminate(
        actor=act(p.manager), contract=sign_all(p, draft(p), manager), reason="资金未到位", breached_by=p.library
    )
    sign_all(p, draft(p), manager)  # still binding: not yet judged


def test_each_part_with_its_numerator_and_denominator_and_the_score(p):
    _record(p)
    cred = partner_credibility([p.enterprise.pk, p.library.pk, p.university.pk])
    ent = cred[p.enterprise.pk]
    assert (ent.on_time.numerator, ent.on_time.denominator, ent.on_time.rate) == (2, 5, 0.4)
    assert (ent.deviations.numerator, ent.deviations.denominator, ent.deviations.rate) == (3, 1, 0.25)
    assert (ent.compliance.numerator, ent.compliance.denominator) == (2, 3)
    assert (ent.satisfaction.numerator, ent.satisfaction.denominator, ent.satisfaction.rate) == (
        Decimal("4.00"),
        3,
        0.75,
    )
    # 100 × (0.3 × 0.4 + 0.2 × 0.25 + 0.3 × 2/3 + 0.2 × 0.75) / 1.0 = 52
    assert ent.score == 52
    # The library breached one of its three closed contracts and provides nothing: only compliance counts.
    lib = cred[p.library.pk]
    assert (lib.compliance.numerator, lib.compliance.denominator, lib.score) == (3 - 1, 3, 67)
    assert lib.on_time.rate is None and lib.satisfaction.denominator == 0
    # The assistant of the same project is not judged on the provider's delivery.
    assert cred[p.university.pk].score is None


def test_the_computation_is_query_constant(p, count_queries, other_org):
    _record(p)
    with count_queries() as one:
        partner_credibility([p.enterprise.pk])
    with count_queries() as many:
        partner_credibility([p.enterprise.pk, p.library.pk, p.university.pk, other_org.pk])
    assert len(one) == len(many) == 6


def test_blending_takes_the_mean_of_assessment_and_record_or_whichever_exists():
    assert blended_credibility(90, 52) == 71
    assert blended_credibility(None, 52) == 52
    assert blended_credibility(80, None) == 80
    assert blended_credibility(None, None) is None
