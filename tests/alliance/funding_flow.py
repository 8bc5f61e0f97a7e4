"""A funded project for the funding tests: a government grant allocated to a project in development."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from alliance import services
from alliance.models import Allocation, FundingSource, Milestone, Project, Tranche
from alliance.services import funding
from tests.alliance.flow import Parties, act, new_project, to_development


@dataclass
class Funded:
    p: Parties
    project: Project
    source: FundingSource
    allocation: Allocation
    milestone: Milestone
    tranche: Tranche


def grant(p: Parties, amount: int = 1_000_000) -> FundingSource:
    today = timezone.localdate()
    return funding.funding_source_create(
        actor=act(p.officer), alliance=p.alliance, organization=p.government, kind="government_grant",
        title="智慧图书馆专项资金", amount=amount, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=335),
    )  # fmt: skip


def funded(p: Parties, *, done: bool = True, accepted: bool = False) -> Funded:
    project = new_project(p)
    to_development(p, project)
    source = grant(p)
    allocation = funding.allocation_create(actor=act(p.officer), source=source, project=project, amount=300000)
    milestone = services.milestone_add(
        actor=act(p.librarian), project=project, title="设备到货安装", due_on=timezone.localdate()
    )
    tranche = funding.tranche_plan(actor=act(p.officer), allocation=allocation, milestone=milestone, amount=100000)
    if done or accepted:
        services.milestone_complete(actor=act(p.supplier), milestone=milestone)
    if accepted:
        funding.milestone_accept(actor=act(p.officer), milestone=milestone)
    milestone.refresh_from_db()
    return Funded(p, project, source, allocation, milestone, tranche)


def released(p: Parties) -> Funded:
    w = funded(p, accepted=True)
    funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
    w.tranche.refresh_from_db()
    return w


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
