"""Scoped reads of project funding. The API and the UI both go through these.

Who sees what:
- funding sources: the funding organisation and the alliance's lead library.
- allocations, and their tranches, spending and financial reports: the funding organisation, and whoever
  sees the project (``view_project``: the lead library, the project's participants and the alliance's
  guiding and funding government), so a project's participants see the money of their project only.
Superusers see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from stakeholders.access import Actor

from .models import (
    Alliance,
    Allocation,
    Expenditure,
    FinancialReport,
    FundingSource,
    Milestone,
    Project,
    Tranche,
    TrancheStatus,
)
from .selectors import visible_projects

ZERO = Decimal("0")
MONEY: Any = DecimalField(max_digits=16, decimal_places=2)


def _sum(model: type[Any], fk: str, **filters: Any) -> Any:
    """A correlated SUM of ``amount``, so several sums on one list do not multiply each other's joins."""
    inner = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, archived_at__isnull=True, **filters)
        .order_by()
        .values(fk)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(inner, output_field=MONEY), ZERO, output_field=MONEY)


def funding_source_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[FundingSource]:
    """Sources the actor's organisation funds, or that fund its library's alliances; with the amount allocated."""
    qs = FundingSource.objects.select_related("alliance", "organization")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        orgs = actor.organization_ids
        qs = qs.filter(Q(organization_id__in=orgs) | Q(alliance__lead_library_id__in=orgs))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(allocated=_sum(Allocation, "source")).order_by("-starts_on", "-id")


def visible_allocations(actor: Actor) -> QuerySet[Allocation]:
    if not actor.is_authenticated:
        return Allocation.objects.none()
    if actor.is_superuser:
        return Allocation.objects.all()
    return Allocation.objects.filter(
        Q(source__organization_id__in=actor.organization_ids) | Q(project__in=visible_projects(actor))
    )


def funding_visible_projects(actor: Actor) -> QuerySet[Project]:
    """Projects the actor sees, and those its organisation funds."""
    if not actor.is_authenticated:
        return Project.objects.none()
    allocated = visible_allocations(actor).values("project_id")
    return Project.objects.filter(Q(pk__in=visible_projects(actor)) | Q(pk__in=allocated))


def allocation_list_for(
    actor: Actor, *, project: Project | None = None, alliance: Alliance | None = None, include_archived: bool = False
) -> QuerySet[Allocation]:
    """Active allocations the actor may see, with what was planned, released and spent of each."""
    qs = visible_allocations(actor)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if project is not None:
        qs = qs.filter(project=project)
    if alliance is not None:
        qs = qs.filter(source__alliance=alliance)
    return (
        qs.select_related("source", "source__organization", "project")
        .annotate(
            planned=_sum(Tranche, "allocation"),
            released=_sum(Tranche, "allocation", status=TrancheStatus.RELEASED),
            spent=_sum(Expenditure, "allocation"),
        )
        .order_by("project_id", "id")
    )


def tranche_list_for(actor: Actor, *, project: Project | None = None) -> QuerySet[Tranche]:
    qs = Tranche.objects.filter(allocation__in=visible_allocations(actor), archived_at__isnull=True)
    if project is not None:
        qs = qs.filter(allocation__project=project)
    return qs.select_related(
        "allocation", "allocation__source", "allocation__project", "milestone", "released_by"
    ).order_by("allocation_id", "milestone__due_on", "id")


def expenditure_list_for(
    actor: Actor, *, project: Project | None = None, alliance: Alliance | None = None
) -> QuerySet[Expenditure]:
    qs = Expenditure.objects.filter(allocation__in=visible_allocations(actor), archived_at__isnull=True)
    if project is not None:
        qs = qs.filter(project=project)
    if alliance is not None:
        qs = qs.filter(project__alliance=alliance)
    return qs.select_related("project", "allocation__source", "organization", "recorded_by").order_by(
        "-spent_on", "-id"
    )


def financial_report_list_for(actor: Actor, *, project: Project | None = None) -> QuerySet[FinancialReport]:
    # A withdrawn allocation owes nothing more; what was already reported stays in view.
    qs = FinancialReport.objects.filter(allocation__in=visible_allocations(actor)).filter(
        Q(allocation__archived_at__isnull=True) | Q(submitted_at__isnull=False)
    )
    if project is not None:
        qs = qs.filter(allocation__project=project)
    return qs.select_related(
        "allocation", "allocation__project", "allocation__source", "organization", "submitted_by"
    ).order_by("due_on", "id")


def acceptable_milestones(project: Project) -> QuerySet[Milestone]:
    return Milestone.objects.active().filter(project=project).select_related("accepted_by").order_by("due_on", "id")


def funded_projects_for(actor: Actor) -> QuerySet[Project]:
    """Projects with an allocation the actor sees, for the funding overview."""
    return (
        Project.objects.filter(pk__in=allocation_list_for(actor).values("project_id"))
        .select_related("alliance")
        .annotate(
            allocated=_sum(Allocation, "project"),
            spent=_sum(Expenditure, "project"),
        )
        .order_by("alliance__name", "-created_at", "id")
    )


@dataclass(frozen=True)
class BurnDown:
    """Budget against money released and spent, day by day where something happened (cumulative)."""

    dates: list[date]
    allocated: list[Decimal]
    released: list[Decimal]
    spent: list[Decimal]
    remaining: list[Decimal]

    @property
    def totals(self) -> dict[str, Decimal]:
        last = -1 if self.dates else None
        if last is None:
            return {"allocated": ZERO, "released": ZERO, "spent": ZERO, "remaining": ZERO}
        return {
            "allocated": self.allocated[last],
            "released": self.released[last],
            "spent": self.spent[last],
            "remaining": self.remaining[last],
        }

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"date": d, "allocated": a, "released": r, "spent": s, "remaining": m}
            for d, a, r, s, m in zip(self.dates, self.allocated, self.released, self.spent, self.remaining, strict=True)
        ]

    def chart(self, labels: dict[str, str]) -> dict[str, Any]:
        return {
            "dates": [d.isoformat() for d in self.dates],
            "series": [
                {"name": labels[key], "values": [float(v) for v in getattr(self, key)]}
                for key in ("allocated", "released", "spent", "remaining")
            ],
        }


def burn_down(allocations: QuerySet[Allocation]) -> BurnDown:
    """Cumulative allocated, released and spent over time for these allocations (three queries)."""
    ids = list(allocations.values_list("pk", flat=True))
    events: dict[date, list[Decimal]] = {}

    def add(day: date, index: int, amount: Decimal) -> None:
        events.setdefault(day, [ZERO, ZERO, ZERO])[index] += amount

    for day, amount in Allocation.objects.filter(pk__in=ids).values_list("starts_on", "amount"):
        add(day, 0, amount)
    released = Tranche.objects.filter(
        allocation_id__in=ids, archived_at__isnull=True, status=TrancheStatus.RELEASED
    ).values_list("released_at", "amount")
    for at, amount in released:
        add(timezone.localdate(at), 1, amount)
    spent = Expenditure.objects.filter(allocation_id__in=ids, archived_at__isnull=True).values_list(
        "spent_on", "amount"
    )
    for day, amount in spent:
        add(day, 2, amount)
    dates = sorted(events)
    allocated_run, released_run, spent_run = ZERO, ZERO, ZERO
    out = BurnDown([], [], [], [], [])
    for day in dates:
        a, r, s = events[day]
        allocated_run, released_run, spent_run = allocated_run + a, released_run + r, spent_run + s
        out.dates.append(day)
        out.allocated.append(allocated_run)
        out.released.append(released_run)
        out.spent.append(spent_run)
        out.remaining.append(allocated_run - spent_run)
    return out
