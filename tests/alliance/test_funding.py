"""Funding rules: allocations within the source, tranches released only on accepted milestones, once;
spending within released money with a checked receipt; reports reminded and escalated exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from alliance.models import Allocation, Expenditure, FinancialReport, Milestone, Tranche
from alliance.selectors_funding import allocation_list_for, burn_down, expenditure_list_for, funding_source_list_for
from alliance.services import funding
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.models import Notification
from tests import factories as f
from tests.alliance.flow import act, new_project, pdf
from tests.alliance.funding_flow import funded, grant, money, released

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- sources and allocations ------------------------------------------------------------------------------------


def test_a_government_manager_records_a_grant_in_cny(p):
    source = grant(p)
    assert source.currency == "CNY" and source.amount == Decimal("1000000.00")
    assert source.organization == p.government


def test_funding_must_fit_the_funder_kind_and_come_from_its_managers(p):
    today = TODAY()
    args = {"alliance": p.alliance, "title": "t", "amount": 10, "starts_on": today, "ends_on": today}
    with pytest.raises(DomainError, match="comes from"):
        funding.funding_source_create(actor=act(p.officer), organization=p.government, kind="library_budget", **args)
    member = f.member_of(p.government, "member")
    with pytest.raises(NotAllowed):
        funding.funding_source_create(actor=act(member), organization=p.government, kind="government_grant", **args)
    outsider_gov = f.OrganizationFactory(kind="government")
    boss = f.member_of(outsider_gov, "manager")
    with pytest.raises(ConflictError, match="must join the alliance"):
        funding.funding_source_create(actor=act(boss), organization=outsider_gov, kind="government_grant", **args)


def test_allocations_never_add_up_to_more_than_the_source(p):
    source = grant(p, amount=500000)
    first, second = new_project(p), new_project(p)
    funding.allocation_create(actor=act(p.officer), source=source, project=first, amount=400000)
    with pytest.raises(ConflictError, match="left to allocate") as refused:
        funding.allocation_create(actor=act(p.officer), source=source, project=second, amount="100000.01")
    assert refused.value.code == "over_allocated"
    assert Allocation.objects.filter(project=second).count() == 0
    funding.allocation_create(actor=act(p.officer), source=source, project=second, amount=100000)


def test_only_the_funder_allocates_and_an_allocation_starts_the_reports(p):
    source = grant(p)
    project = new_project(p)
    with pytest.raises(NotAllowed):
        funding.allocation_create(actor=act(p.manager), source=source, project=project, amount=1)
    allocation = funding.allocation_create(
        actor=act(p.officer), source=source, project=project, amount=1000, report_cadence="monthly"
    )
    report = FinancialReport.objects.get(allocation=allocation)
    assert report.organization_id == p.library.pk
    assert report.period_start == TODAY() and report.due_on == report.period_end + funding.REPORT_GRACE
    assert report.sweep_at is not None


# --- acceptance and release --------------------------------------------------------------------------------------


def test_a_milestone_must_be_done_before_the_funder_accepts_it(p):
    w = funded(p, done=False)
    with pytest.raises(ConflictError, match="not done yet") as refused:
        funding.milestone_accept(actor=act(p.officer), milestone=w.milestone)
    assert refused.value.code == "milestone_not_done"
    assert Milestone.objects.get(pk=w.milestone.pk).accepted_at is None


def test_only_the_funder_or_guiding_government_accepts_a_milestone(p):
    w = funded(p)
    for user in (p.manager, p.supplier, f.member_of(p.government, "member")):
        with pytest.raises(NotAllowed):
            funding.milestone_accept(actor=act(user), milestone=w.milestone)
    accepted = funding.milestone_accept(actor=act(p.officer), milestone=w.milestone)
    assert accepted.accepted_by == p.officer and accepted.accepted_at is not None
    with pytest.raises(ConflictError, match="already accepted"):
        funding.milestone_accept(actor=act(p.officer), milestone=w.milestone)


def test_an_enterprise_investor_that_funds_the_project_may_accept_its_milestones(p):
    investor = f.OrganizationFactory(kind="enterprise")
    boss = f.member_of(investor, "manager")
    from alliance import services

    services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=investor, role="provider")
    w = funded(p)
    today = TODAY()
    source = funding.funding_source_create(
        actor=act(boss), alliance=p.alliance, organization=investor, kind="enterprise_investment", title="投资",
        amount=1000, starts_on=today, ends_on=today,
    )  # fmt: skip
    assert not funding.may_accept_milestones(act(boss), w.project)
    funding.allocation_create(actor=act(boss), source=source, project=w.project, amount=1000)
    assert funding.may_accept_milestones(act(boss), w.project)


def test_a_tranche_is_released_when_its_milestone_is_accepted_and_the_parties_are_told(p):
    w = funded(p, accepted=True)
    tranche = funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
    assert tranche.status == "released" and tranche.released_by == p.officer
    told = set(Notification.objects.filter(event="alliance.tranche.released").values_list("recipient", flat=True))
    assert {p.manager.pk, p.librarian.pk, p.supplier.pk, p.officer.pk} <= told


@pytest.mark.parametrize("done", [False, True])
def test_releasing_a_tranche_of_an_unaccepted_milestone_is_refused_with_a_clear_message(p, done):
    w = funded(p, done=done)
    with pytest.raises(ConflictError) as refused:
        funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
    assert refused.value.code == "milestone_not_accepted"
    assert "设备到货安装" in refused.value.message
    assert ("not done yet" if not done else "not accepted yet") in refused.value.message
    assert Tranche.objects.get(pk=w.tranche.pk).status == "planned"
    assert not Notification.objects.filter(event="alliance.tranche.released").exists()


def test_only_the_funders_managers_release(p):
    w = funded(p, accepted=True)
    for user in (f.member_of(p.government, "member"), p.manager, p.supplier):
        with pytest.raises(NotAllowed):
            funding.tranche_release(actor=act(user), tranche=w.tranche)
    assert Tranche.objects.get(pk=w.tranche.pk).status == "planned"


def test_a_second_release_changes_nothing_and_tells_nobody_again(p):
    w = released(p)
    first = (w.tranche.released_at, Notification.objects.count())
    again = funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
    assert (again.released_at, Notification.objects.count()) == first


@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_release_once(p):
    w = funded(p, accepted=True)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def release() -> None:
        try:
            barrier.wait(10)
            results.append(funding.tranche_release(actor=act(p.officer), tranche=w.tranche).status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == ["released", "released"]
    recipients = Notification.objects.filter(event="alliance.tranche.released")
    assert recipients.count() == recipients.values("recipient").distinct().count() > 0


def test_tranches_never_exceed_the_allocation_and_belong_to_its_project(p):
    w = funded(p)
    with pytest.raises(ConflictError, match="left to plan"):
        funding.tranche_plan(actor=act(p.officer), allocation=w.allocation, milestone=w.milestone, amount=200001)
    other = new_project(p)
    from alliance import services

    foreign = services.milestone_add(actor=act(p.librarian), project=other, title="x", due_on=TODAY())
    with pytest.raises(DomainError, match="not an active milestone"):
        funding.tranche_plan(actor=act(p.officer), allocation=w.allocation, milestone=foreign, amount=1)


# --- spending -------------------------------------------------------------------------------------------------


def test_the_provider_records_spending_within_released_money_with_a_receipt(p):
    w = released(p)
    spent = funding.expenditure_record(
        actor=act(p.supplier), allocation=w.allocation, amount=60000, category="equipment",
        spent_on=TODAY(), receipt=pdf("invoice.pdf"), description="RFID 自助借还机 2 台",
    )  # fmt: skip
    assert spent.organization == p.enterprise and spent.receipt.name.endswith(".pdf")
    with pytest.raises(ConflictError, match="unspent") as refused:
        funding.expenditure_record(
            actor=act(p.librarian), allocation=w.allocation, amount="40000.01", category="software",
            spent_on=TODAY(), receipt=pdf(),
        )  # fmt: skip
    assert refused.value.code == "over_released"
    funding.expenditure_record(
        actor=act(p.librarian), allocation=w.allocation, amount=40000, category="software", spent_on=TODAY(),
        receipt=pdf(),
    )  # fmt: skip
    assert Expenditure.objects.count() == 2


def test_nothing_is_spent_before_a_release(p):
    w = funded(p, accepted=True)
    with pytest.raises(ConflictError, match="unspent"):
        funding.expenditure_record(
            actor=act(p.supplier), allocation=w.allocation, amount=1, category="other", spent_on=TODAY(), receipt=pdf()
        )


def test_a_receipt_is_checked_by_its_content_and_only_the_library_or_provider_records(p):
    w = released(p)
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as refused:
        funding.expenditure_record(
            actor=act(p.supplier), allocation=w.allocation, amount=1, category="other", spent_on=TODAY(), receipt=fake
        )
    assert "receipt" in refused.value.fields
    with pytest.raises(NotAllowed):
        funding.expenditure_record(
            actor=act(p.professor), allocation=w.allocation, amount=1, category="other", spent_on=TODAY(),
            receipt=pdf(),
        )  # fmt: skip
    with pytest.raises(DomainError, match="future"):
        funding.expenditure_record(
            actor=act(p.supplier), allocation=w.allocation, amount=1, category="other",
            spent_on=TODAY() + timedelta(days=1), receipt=pdf(),
        )  # fmt: skip
    assert not Expenditure.objects.exists()


# --- reports and the sweeper ----------------------------------------------------------------------------------


def _report(w) -> FinancialReport:
    return FinancialReport.objects.get(allocation=w.allocation, submitted_at__isnull=True)


def test_the_sweeper_reminds_once_before_due_and_escalates_once_when_overdue(p):
    w = funded(p)
    report = _report(w)
    before = report.sweep_at
    assert funding.financial_reports_sweep(now=before - timedelta(minutes=1)) == 0
    assert funding.financial_reports_sweep(now=before) == 1
    assert funding.financial_reports_sweep(now=before + timedelta(hours=1)) == 0  # run twice: nothing more
    reminders = Notification.objects.filter(event="alliance.financial_report.due")
    assert set(reminders.values_list("recipient", flat=True)) == {p.manager.pk, p.librarian.pk}
    later = timezone.make_aware(
        timezone.datetime.combine(report.due_on + timedelta(days=2), timezone.datetime.min.time())
    )
    assert funding.financial_reports_sweep(now=later) == 1
    assert funding.financial_reports_sweep(now=later + timedelta(days=30)) == 0
    escalations = Notification.objects.filter(event="alliance.financial_report.overdue")
    assert set(escalations.values_list("recipient", flat=True)) == {p.manager.pk, p.officer.pk}
    assert reminders.count() == 2
    report.refresh_from_db()
    assert report.reminded_at and report.escalated_at and report.sweep_at is None


def test_a_submitted_report_is_not_reminded_and_the_next_period_is_owed(p):
    w = funded(p)
    report = _report(w)
    with pytest.raises(NotAllowed):
        funding.financial_report_submit(actor=act(p.supplier), report=report, summary="s")
    done = funding.financial_report_submit(actor=act(p.librarian), report=report, summary="本季度支出正常")
    assert done.sweep_at is None
    assert funding.financial_reports_sweep(now=timezone.now() + timedelta(days=400)) == 1  # only the next one
    following = _report(w)
    assert following.period_start == report.period_end + timedelta(days=1)
    with pytest.raises(ConflictError):
        funding.financial_report_submit(actor=act(p.librarian), report=report, summary="again")


def test_the_beat_runs_the_report_sweeper_and_celery_knows_it(settings):
    from alliance import tasks
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["alliance-sweep-financial-reports"]
    assert entry["task"] == tasks.sweep_financial_reports.name
    assert tasks.sweep_financial_reports.name in app.tasks


# --- scoping and the burn-down --------------------------------------------------------------------------------------


def test_funding_is_seen_by_library_funder_and_participants_but_not_outsiders(p, outsider):
    w = released(p)
    for user in (p.manager, p.officer, p.supplier, p.professor):
        assert list(allocation_list_for(act(user))) == [w.allocation], user
    assert not allocation_list_for(act(outsider)).exists()
    assert not expenditure_list_for(act(outsider)).exists()
    assert set(funding_source_list_for(act(p.officer))) == {w.source}
    assert set(funding_source_list_for(act(p.manager))) == {w.source}
    assert not funding_source_list_for(act(p.supplier)).exists()  # the whole grant is not the provider's business


def test_burn_down_is_cumulative_allocated_released_and_spent(p):
    w = released(p)
    funding.expenditure_record(
        actor=act(p.supplier), allocation=w.allocation, amount=30000, category="equipment",
        spent_on=TODAY() - timedelta(days=1), receipt=pdf(),
    )  # fmt: skip
    data = burn_down(allocation_list_for(act(p.manager), project=w.project))
    assert data.dates == [TODAY() - timedelta(days=1), TODAY()]
    assert data.spent == [money(30000), money(30000)]
    assert data.released == [money(0), money(100000)]
    assert data.allocated == [money(0), money(300000)]
    assert data.totals["remaining"] == money(270000)


def test_one_report_sweep_costs_the_same_queries_however_many_reports_are_due(p, django_assert_num_queries):
    # Set-based: claim (allocations, projects and sources joined), one UPDATE stamping reminded_at/escalated_at
    # and sweep times, one membership query, then notify_many (preferences, notifications, deliveries), two
    # savepoints and their releases.
    reports = [_report(funded(p)) for _ in range(3)]
    FinancialReport.objects.filter(pk__in=[r.pk for r in reports]).update(sweep_at=reports[0].sweep_at)
    before = reports[0].sweep_at
    with django_assert_num_queries(10):
        assert funding.financial_reports_sweep(now=before) == 3
    assert Notification.objects.filter(event="alliance.financial_report.due", recipient=p.manager).count() == 3
    later = timezone.make_aware(
        timezone.datetime.combine(max(r.due_on for r in reports) + timedelta(days=2), timezone.datetime.min.time())
    )
    with django_assert_num_queries(10):
        assert funding.financial_reports_sweep(now=later) == 3
    assert funding.financial_reports_sweep(now=later) == 0
    escalated = Notification.objects.filter(event="alliance.financial_report.overdue")
    assert escalated.filter(recipient=p.officer).count() == 3
