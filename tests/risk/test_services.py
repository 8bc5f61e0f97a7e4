"""Risk register services: scoring, templates, treatment, acceptance, reviews and incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.models import Notification
from risk import selectors, services
from risk.models import Acceptance, Review, Risk, RiskTemplate
from tests import factories as f
from tests.alliance.flow import act

pytestmark = pytest.mark.django_db


def test_scores_and_levels_follow_the_matrix_and_set_the_review_cadence(w):
    risk = w.risk
    assert (risk.inherent_score, risk.inherent_level) == (9, "medium")
    assert (risk.residual_score, risk.residual_level) == (9, "medium")
    assert abs((risk.next_review_at - timezone.now()) - timedelta(days=90)) < timedelta(minutes=1)
    critical = services.risk_create(
        actor=act(w.p.librarian), register=w.register, category="funding", title="资金断档", likelihood=5, impact=4
    )
    assert critical.inherent_level == "critical"
    assert abs((critical.next_review_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)


def test_scores_outside_one_to_five_are_refused(w):
    with pytest.raises(DomainError) as exc:
        services.risk_create(
            actor=act(w.p.librarian), register=w.register, category="ethics", title="x", likelihood=6, impact=1
        )
    assert "likelihood" in exc.value.fields
    assert Risk.objects.count() == 1


def test_database_refuses_a_score_that_is_not_the_product(w):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=w.risk.pk).update(inherent_score=10)


def test_only_the_lead_librarys_staff_keep_the_register(w):
    for user in (w.p.supplier, w.p.officer):
        with pytest.raises(NotAllowed):
            services.risk_create(
                actor=act(user), register=w.register, category="ethics", title="x", likelihood=1, impact=1
            )
    with pytest.raises(NotAllowed):  # a member is staff, but opening registers is for managers
        services.register_create(actor=act(w.p.librarian), alliance=w.p.alliance)


def test_one_register_per_project_and_per_alliance(w):
    with pytest.raises(ConflictError):
        services.register_create(actor=act(w.p.manager), alliance=w.p.alliance, project=w.project)
    services.register_create(actor=act(w.p.manager), alliance=w.p.alliance)
    with pytest.raises(ConflictError):
        services.register_create(actor=act(w.p.manager), alliance=w.p.alliance)


def test_templates_are_seeded_in_chinese_and_english_for_every_main_category(templates):
    assert {"technology", "ethics", "funding", "copyright", "security", "partner", "compliance"} <= {
        t.category for t in templates
    }
    leak = templates.get(code="reader-data-leak")
    assert leak.title_zh == "读者个人信息泄露" and leak.title_en == "Leak of readers' personal data"
    assert templates.filter(code="vendor-lock-in").exists()


def test_adopting_templates_copies_them_in_the_chosen_language_to_adjust_later(w, templates):
    picked = list(RiskTemplate.objects.filter(code__in=["reader-data-leak", "vendor-lock-in"]))
    risks = services.register_adopt_templates(actor=act(w.p.librarian), register=w.register, templates=picked)
    assert sorted(r.title for r in risks) == ["供应商锁定", "读者个人信息泄露"]
    assert all(r.owner_organization == w.p.library and r.inherent_score == r.likelihood * r.impact for r in risks)
    english = services.register_create(actor=act(w.p.manager), alliance=w.p.alliance)
    [risk] = services.register_adopt_templates(
        actor=act(w.p.librarian), register=english, templates=picked[:1], language="en"
    )
    assert risk.title == picked[0].title_en
    adjusted = services.risk_update(actor=act(w.p.librarian), risk=risks[0], residual_likelihood=1, title="改")
    assert adjusted.residual_score == adjusted.residual_impact and adjusted.title == "改"
    with pytest.raises(ConflictError):
        services.register_adopt_templates(actor=act(w.p.librarian), register=w.register, templates=picked)


def test_adopting_no_template_is_a_clear_domain_error(w):
    with pytest.raises(DomainError) as exc:
        services.register_adopt_templates(actor=act(w.p.librarian), register=w.register, templates=[])
    assert exc.value.code == "nothing_to_adopt" and exc.value.status_code == 400


def test_a_mitigation_owned_by_the_provider_puts_the_risk_in_treatment_and_the_owner_reports_progress(w):
    mitigation = services.mitigation_create(
        actor=act(w.p.librarian), risk=w.risk, title="加密读者数据", owner_organization=w.p.enterprise,
        owner=w.p.supplier, due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    w.risk.refresh_from_db()
    assert w.risk.status == "treating"
    assert Notification.objects.filter(recipient=w.p.supplier, event="risk.mitigation.assigned").exists()
    with pytest.raises(NotAllowed):  # owners report progress; re-planning is the keepers'
        services.mitigation_update(actor=act(w.p.supplier), mitigation=mitigation, due_on=timezone.localdate())
    done = services.mitigation_update(actor=act(w.p.supplier), mitigation=mitigation, progress=100)
    assert done.done_at is not None
    with pytest.raises(NotAllowed):
        services.mitigation_update(actor=act(w.p.professor), mitigation=mitigation, progress=10)


def test_a_mitigation_owner_must_take_part_in_the_project(w, other_org):
    with pytest.raises(DomainError):
        services.mitigation_create(
            actor=act(w.p.librarian), risk=w.risk, title="x", owner_organization=other_org,
            due_on=timezone.localdate(),
        )  # fmt: skip


def test_acceptance_needs_the_authority_of_the_residual_level(w):
    until = timezone.now() + timedelta(days=90)
    services.risk_update(actor=act(w.p.librarian), risk=w.risk, residual_likelihood=4, residual_impact=4)  # high
    with pytest.raises(NotAllowed) as exc:
        services.acceptance_give(actor=act(w.p.librarian), risk=w.risk, rationale="可控", expires_at=until)
    assert "library managers" in str(exc.value)
    acceptance = services.acceptance_give(actor=act(w.p.manager), risk=w.risk, rationale="可控", expires_at=until)
    w.risk.refresh_from_db()
    assert w.risk.status == "accepted" and acceptance.residual_level == "high"
    services.risk_update(actor=act(w.p.librarian), risk=w.risk, residual_likelihood=5, residual_impact=5)
    w.risk.refresh_from_db()
    assert w.risk.status == "review"  # re-scored: the acceptance no longer holds
    acceptance.refresh_from_db()
    assert acceptance.ended_at is not None
    with pytest.raises(NotAllowed) as exc:
        services.acceptance_give(actor=act(w.p.manager), risk=w.risk, rationale="x", expires_at=until)
    assert "government" in str(exc.value)
    services.acceptance_give(actor=act(w.p.officer), risk=w.risk, rationale="政府兜底", expires_at=until)


def test_acceptance_expiry_returns_the_risk_to_review_once(w):
    acceptance = services.acceptance_give(
        actor=act(w.p.librarian), risk=w.risk, rationale="影响有限", expires_at=timezone.now() + timedelta(days=30)
    )
    assert services.acceptances_expire() == 0
    later = timezone.now() + timedelta(days=31)
    assert services.acceptances_expire(now=later) == 1
    assert services.acceptances_expire(now=later) == 0
    w.risk.refresh_from_db()
    acceptance.refresh_from_db()
    assert w.risk.status == "review" and w.risk.next_review_at == later and acceptance.ended_at == later
    notified = Notification.objects.filter(event="risk.acceptance.expired").values_list("recipient", flat=True)
    assert sorted(notified) == sorted([w.p.librarian.pk, w.p.manager.pk])  # the owning library's people, once
    review = services.review_record(
        actor=act(w.p.librarian), risk=w.risk, likelihood=3, impact=3, residual_likelihood=2, residual_impact=2
    )
    w.risk.refresh_from_db()
    assert w.risk.status == "open" and review.residual_score == 4
    assert w.risk.next_review_at > later  # low: next in 180 days


def test_a_review_records_scores_and_sets_the_next_review_by_level(w):
    review = services.review_record(
        actor=act(w.p.librarian), risk=w.risk, likelihood=5, impact=5, residual_likelihood=4, residual_impact=5,
        notes="供应商更换云平台",
    )  # fmt: skip
    w.risk.refresh_from_db()
    assert (review.residual_score, w.risk.residual_level) == (20, "critical")
    assert abs((w.risk.next_review_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
    assert w.risk.sweep_at == w.risk.next_review_at
    with pytest.raises(NotAllowed):
        services.review_record(
            actor=act(w.p.professor), risk=w.risk, likelihood=1, impact=1, residual_likelihood=1, residual_impact=1
        )
    services.review_record(
        actor=act(w.p.librarian), risk=w.risk, likelihood=1, impact=1, residual_likelihood=1, residual_impact=1,
        close=True,
    )  # fmt: skip
    w.risk.refresh_from_db()
    assert w.risk.status == "closed" and w.risk.sweep_at is None


def test_an_incident_rescores_its_linked_risks_through_reviews(w):
    incident = services.incident_record(
        actor=act(w.p.supplier), register=w.register, title="测试库数据外泄", occurred_at=timezone.now(),
        what_happened="测试环境使用了真实读者数据", impact="约 200 名读者信息暴露", response="下线测试环境并通知读者",
        lessons="测试只用脱敏数据", rescores=[{"risk": w.risk, "likelihood": 5, "impact": 4}],
    )  # fmt: skip
    w.risk.refresh_from_db()
    assert (w.risk.likelihood, w.risk.impact, w.risk.residual_score) == (5, 4, 20)
    assert list(incident.risks.all()) == [w.risk]
    assert Review.objects.get(incident=incident).risk == w.risk
    assert Notification.objects.filter(recipient=w.p.manager, event="risk.incident.recorded").exists()
    with pytest.raises(NotAllowed):
        services.incident_record(
            actor=act(w.p.professor), register=w.register, title="x", occurred_at=timezone.now(),
            what_happened="x", impact="x", response="x",
        )  # fmt: skip


def test_partners_see_risks_of_their_projects_and_government_of_the_alliances_it_guides(w, outsider):
    alliance_register = services.register_create(actor=act(w.p.manager), alliance=w.p.alliance)
    own = services.risk_create(
        actor=act(w.p.librarian), register=alliance_register, category="funding", title="联盟经费", likelihood=2,
        impact=2,
    )  # fmt: skip
    assert set(selectors.risk_list_for(act(w.p.librarian))) == {w.risk, own}
    assert set(selectors.risk_list_for(act(w.p.officer))) == {w.risk, own}
    assert set(selectors.risk_list_for(act(w.p.supplier))) == {w.risk}  # not the alliance's own register
    assert set(selectors.risk_list_for(act(outsider))) == set()
    stranger = f.member_of(f.OrganizationFactory(kind="government"), "manager")
    assert set(selectors.register_list_for(act(stranger))) == set()


def test_heat_map_counts_inherent_and_residual_cells(w):
    services.risk_update(actor=act(w.p.librarian), risk=w.risk, residual_likelihood=1, residual_impact=2)
    services.risk_create(
        actor=act(w.p.librarian), register=w.register, category="funding", title="b", likelihood=3, impact=3
    )
    data = selectors.heat_map(selectors.risk_list_for(act(w.p.librarian)), w.register)
    assert data.inherent[2][2] == 2
    assert data.residual[0][1] == 1 and data.residual[2][2] == 1
    assert data.likelihood_labels[0] == "Rare"


def test_trend_counts_risks_and_reviews_by_month(w):
    services.review_record(
        actor=act(w.p.librarian), risk=w.risk, likelihood=4, impact=4, residual_likelihood=4, residual_impact=3
    )
    rows = selectors.trend(selectors.risk_list_for(act(w.p.librarian)), months=3)
    assert len(rows) == 3
    assert rows[-1] == {
        "month": timezone.localdate().isoformat()[:7], "identified": 1, "reviewed": 1, "reviewed_high": 1
    }  # fmt: skip


def test_overdue_reviews_and_mitigations_are_listed(w):
    Risk.objects.filter(pk=w.risk.pk).update(next_review_at=timezone.now() - timedelta(days=1))
    services.mitigation_create(
        actor=act(w.p.librarian), risk=w.risk, title="x", owner_organization=w.p.library,
        due_on=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    assert list(selectors.overdue_reviews_for(act(w.p.librarian))) == [w.risk]
    assert selectors.overdue_mitigations_for(act(w.p.supplier)).count() == 1
    assert not Acceptance.objects.exists()


def test_emergency_plans_record_drills(w):
    plan = services.emergency_plan_create(
        actor=act(w.p.librarian), risk=w.risk, title="数据泄露应急预案", trigger_conditions="发现读者数据外泄",
        steps="1. 隔离系统\n2. 通知读者\n3. 报告网信部门", contacts="张三, 信息部, 0571-0000",
    )  # fmt: skip
    drill = services.drill_record(
        actor=act(w.p.librarian), plan=plan, held_on=timezone.localdate(), outcome="30 分钟内完成隔离"
    )
    assert list(selectors.emergency_plan_list_for(act(w.p.supplier))[0].drills.all()) == [drill]
    with pytest.raises(DomainError):
        services.drill_record(
            actor=act(w.p.librarian), plan=plan, held_on=timezone.localdate() + timedelta(days=1), outcome="x"
        )
