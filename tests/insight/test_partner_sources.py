"""Funding figures and the partner activity sources, against hand-computed values."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alliance.models import Milestone
from alliance.models.funding import Allocation, Expenditure, FundingSource, Tranche, TrancheStatus
from insight import selectors, sources
from insight.sources import Period
from tests.alliance.flow import new_project

pytestmark = pytest.mark.django_db


def _period() -> Period:
    now = timezone.now()
    return Period(now - timedelta(days=10), now + timedelta(days=10), "test")


def test_allocated_released_spent_by_source_and_party_against_the_budget(p, count_queries):
    project = new_project(p)
    today = timezone.localdate()
    source = FundingSource.objects.create(
        alliance=p.alliance, organization=p.government, kind="government_grant", title="省专项",
        amount=Decimal("1000"), starts_on=today, ends_on=today + timedelta(days=365), created_by=p.officer,
    )  # fmt: skip
    allocation = Allocation.objects.create(
        source=source, project=project, amount=Decimal("600"), starts_on=today, created_by=p.officer
    )
    milestone = Milestone.objects.create(project=project, title="一期", due_on=today)
    Tranche.objects.create(
        allocation=allocation, milestone=milestone, amount=Decimal("200"), status=TrancheStatus.RELEASED,
        released_at=timezone.now(), released_by=p.officer,
    )  # fmt: skip
    Tranche.objects.create(allocation=allocation, milestone=milestone, amount=Decimal("100"))  # pending: not counted
    for amount in ("30", "20"):
        Expenditure.objects.create(
            project=project, allocation=allocation, amount=Decimal(amount), category="equipment", spent_on=today,
            receipt="r.pdf", organization=p.enterprise, recorded_by=p.officer,
        )  # fmt: skip
    period = _period()
    with count_queries() as q:
        money = selectors.funding([p.alliance.pk], period)[p.alliance.pk]
    assert len(q) == 5  # budgets + sources + allocations + tranches + expenditures, whatever the number of rows
    assert money["by_stage"]["allocated"] == Decimal("600")
    assert money["by_stage"]["released"] == Decimal("200")
    assert money["by_stage"]["spent"] == Decimal("50")
    assert money["by_stage"]["budgeted"] == project.budget
    # Against plan: a source's plan is its own amount (the funder's), never added to the projects' budgets above
    assert money["by_source"][source.pk] == {
        "budgeted": Decimal("1000"), "allocated": Decimal("600"), "released": Decimal("200"), "spent": Decimal("50")
    }  # fmt: skip
    assert money["by_party"][p.government.pk] == {
        "budgeted": Decimal("1000"), "allocated": Decimal("600"), "released": Decimal("200")
    }  # fmt: skip
    assert money["by_party"][p.enterprise.pk] == {"spent": Decimal("50")}

    acts = [a for a in sources.collect([p.alliance.pk], period) if a.kind in ("tranche_released", "expenditure")]
    by_kind = {(a.kind, a.organization_id): a for a in acts}
    assert by_kind[("tranche_released", p.government.pk)].count == 1
    spent = by_kind[("expenditure", p.enterprise.pk)]
    assert spent.count == 2 and spent.counterpart_id == p.government.pk

    # The page shows the figures (and no placeholder)
    data = selectors.alliance_insight(p.alliance, period)
    assert data["funding"]["by_source"][0]["title"] == "省专项"
    assert {r["organization_id"] for r in data["funding"]["by_party"]} == {p.government.pk, p.enterprise.pk}


def test_nothing_after_the_period_end_is_counted(p):
    project = new_project(p)
    later = timezone.localdate() + timedelta(days=30)
    source = FundingSource.objects.create(
        alliance=p.alliance, organization=p.government, kind="government_grant", title="明年", amount=Decimal("9"),
        starts_on=later, ends_on=later + timedelta(days=30), created_by=p.officer,
    )  # fmt: skip
    Allocation.objects.create(
        source=source, project=project, amount=Decimal("9"), starts_on=later, created_by=p.officer
    )
    money = selectors.funding([p.alliance.pk], _period())[p.alliance.pk]
    assert "allocated" not in money["by_stage"]
