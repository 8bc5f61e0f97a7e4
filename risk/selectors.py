"""Scoped reads of the risk registers. The API and the UI both go through these.

Who sees what (see ``risk.access``): a project's register and everything in it, whoever sees the project;
an alliance's own register, the lead library and the alliance's government guides and funders.
Templates are public to every signed-in person. Superusers see everything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exports import Column
from stakeholders.access import Actor

from .access import visible_register_ids, visible_registers
from .choices import RiskStatus
from .models import (
    Acceptance,
    Drill,
    EmergencyPlan,
    Incident,
    Mitigation,
    PreAssessment,
    PreAssessmentItem,
    Review,
    Risk,
    RiskRegister,
    RiskTemplate,
)

__all__ = [
    "RISK_EXPORT_COLUMNS",
    "HeatMap",
    "acceptance_list_for",
    "emergency_plan_list_for",
    "heat_map",
    "incident_list_for",
    "mitigation_list_for",
    "overdue_mitigations_for",
    "overdue_reviews_for",
    "preassessment_list_for",
    "register_list_for",
    "review_list_for",
    "risk_list_for",
    "template_list_for",
    "trend",
    "visible_registers",
]


def _seen(qs: QuerySet[Any], actor: Actor, field: str) -> QuerySet[Any]:
    """`qs` narrowed to the actor's registers by a literal id list (one cheap query first)."""
    ids = visible_register_ids(actor)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def register_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[RiskRegister]:
    """Registers the actor may see, with the alliance, project and counts of active and open risks."""
    qs = _seen(RiskRegister.objects.all(), actor, "pk").select_related("alliance", "project", "alliance__lead_library")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    active = Q(risks__archived_at__isnull=True)
    return qs.annotate(
        risk_count=Count("risks", filter=active),
        open_count=Count("risks", filter=active & ~Q(risks__status=RiskStatus.CLOSED)),
    ).order_by("alliance_id", "project_id", "id")


def risk_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Risk]:
    """Risks of the registers the actor sees, with their register, owner and owning organisation."""
    qs = _seen(Risk.objects.all(), actor, "register_id").select_related(
        "register", "register__alliance", "register__project", "owner", "owner_organization", "template"
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.order_by("-residual_score", "-inherent_score", "id")


def template_list_for(actor: Actor) -> QuerySet[RiskTemplate]:
    """Domain templates: a starting point any signed-in person may read."""
    if not actor.is_authenticated:
        return RiskTemplate.objects.none()
    return RiskTemplate.objects.active().order_by("category", "code")


def _active(qs: QuerySet[Any], include_archived: bool) -> QuerySet[Any]:
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def mitigation_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Mitigation]:
    qs = _seen(Mitigation.objects.all(), actor, "risk__register_id")
    return _active(qs, include_archived).select_related("risk", "owner", "owner_organization").order_by("due_on", "id")


def emergency_plan_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[EmergencyPlan]:
    drills = Drill.objects.select_related("recorded_by").order_by("-held_on", "-id")
    return (
        _active(EmergencyPlan.objects.filter(risk__register__in=visible_registers(actor)), include_archived)
        .select_related("risk")
        .prefetch_related(Prefetch("drills", queryset=drills))
        .order_by("risk_id", "id")
    )


def acceptance_list_for(actor: Actor) -> QuerySet[Acceptance]:
    return (
        Acceptance.objects.filter(risk__register__in=visible_registers(actor))
        .select_related("risk", "approver", "approver_organization")
        .order_by("-accepted_at", "-id")
    )


def review_list_for(actor: Actor) -> QuerySet[Review]:
    return (
        Review.objects.filter(risk__register__in=visible_registers(actor))
        .select_related("risk", "reviewed_by", "incident")
        .order_by("-reviewed_at", "-id")
    )


def incident_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Incident]:
    reviews = Review.objects.select_related("risk", "reviewed_by").order_by("id")
    return (
        _active(Incident.objects.filter(register__in=visible_registers(actor)), include_archived)
        .select_related("register", "reported_by")
        .prefetch_related(Prefetch("reviews", queryset=reviews))
        .order_by("-occurred_at", "-id")
    )


def preassessment_list_for(actor: Actor) -> QuerySet[PreAssessment]:
    """Pre-assessments of the projects the actor sees (the same people who will see the project's register)."""
    from alliance.selectors import visible_projects

    items = PreAssessmentItem.objects.order_by("category")
    return (
        PreAssessment.objects.active()
        .filter(project__in=visible_projects(actor))
        .select_related("project", "project__alliance", "provider", "library_signed_by", "provider_signed_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-created_at", "-id")
    )


def overdue_reviews_for(actor: Actor, *, now: datetime | None = None) -> QuerySet[Risk]:
    """Open risks whose review date has passed, most overdue first."""
    now = now or timezone.now()
    return (
        risk_list_for(actor)
        .filter(next_review_at__lt=now, register__archived_at__isnull=True)
        .exclude(status=RiskStatus.CLOSED)
        .order_by("next_review_at", "id")
    )


def overdue_mitigations_for(actor: Actor, *, today: date | None = None) -> QuerySet[Mitigation]:
    """Mitigations not done by their due date."""
    today = today or timezone.localdate()
    return mitigation_list_for(actor).filter(done_at__isnull=True, due_on__lt=today)


@dataclass(frozen=True)
class HeatMap:
    """Counts of active risks per (likelihood, impact) cell, before and after treatment, with the axis labels."""

    likelihood_labels: list[str]
    impact_labels: list[str]
    inherent: list[list[int]]  # [likelihood-1][impact-1]
    residual: list[list[int]]


def _grid(counts: Counter[tuple[int, int]]) -> list[list[int]]:
    return [[counts[(likelihood, impact)] for impact in range(1, 6)] for likelihood in range(1, 6)]


def heat_map(risks: QuerySet[Risk], register: RiskRegister | None = None) -> HeatMap:
    """Two GROUP BY queries over the (scoped) risks, whatever their number."""
    live = risks.filter(archived_at__isnull=True).exclude(status=RiskStatus.CLOSED).order_by()
    inherent: Counter[tuple[int, int]] = Counter()
    residual: Counter[tuple[int, int]] = Counter()
    for row in live.values("likelihood", "impact").annotate(n=Count("id")):
        inherent[(row["likelihood"], row["impact"])] = row["n"]
    for row in live.values("residual_likelihood", "residual_impact").annotate(n=Count("id")):
        residual[(row["residual_likelihood"], row["residual_impact"])] = row["n"]
    from .choices import DEFAULT_IMPACT_LABELS, DEFAULT_LIKELIHOOD_LABELS, shown_labels

    return HeatMap(
        likelihood_labels=shown_labels(
            list(register.likelihood_labels if register else DEFAULT_LIKELIHOOD_LABELS), DEFAULT_LIKELIHOOD_LABELS
        ),
        impact_labels=shown_labels(
            list(register.impact_labels if register else DEFAULT_IMPACT_LABELS), DEFAULT_IMPACT_LABELS
        ),
        inherent=_grid(inherent),
        residual=_grid(residual),
    )


def _by_month(qs: QuerySet[Any], field: str, **counts: Any) -> dict[str, dict[str, int]]:
    rows = qs.order_by().annotate(month=TruncMonth(field)).values("month").annotate(**counts)
    return {row["month"].date().isoformat()[:7]: row for row in rows}


def trend(risks: QuerySet[Risk], *, months: int = 12, today: date | None = None) -> list[dict[str, Any]]:
    """Per month (oldest first): risks identified, reviews made, and reviews that left a high or critical risk."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    keys = []
    for _i in range(months):
        keys.append(first.isoformat()[:7])
        first = (first - timedelta(days=1)).replace(day=1)
    keys.reverse()
    start = date.fromisoformat(keys[0] + "-01")
    created = _by_month(risks.filter(created_at__date__gte=start), "created_at", n=Count("id"))
    reviews = Review.objects.filter(risk__in=risks.order_by().values("pk"), reviewed_at__date__gte=start)
    reviewed = _by_month(reviews, "reviewed_at", n=Count("id"), high=Count("id", filter=Q(residual_score__gte=10)))
    empty = {"n": 0, "high": 0}
    return [
        {
            "month": key,
            "identified": created.get(key, empty)["n"],
            "reviewed": reviewed.get(key, empty)["n"],
            "reviewed_high": reviewed.get(key, empty)["high"],
        }
        for key in keys
    ]


RISK_EXPORT_COLUMNS = [
    Column(_("ID"), "pk"),
    Column(_("Register"), "register.title"),
    Column(_("Category"), "get_category_display"),
    Column(_("Title"), "title"),
    Column(_("Cause"), "cause"),
    Column(_("Consequence"), "consequence"),
    Column(_("Owner organisation"), "owner_organization"),
    Column(_("Owner"), "owner"),
    Column(_("Likelihood"), "likelihood"),
    Column(_("Impact"), "impact"),
    Column(_("Inherent score"), "inherent_score"),
    Column(_("Inherent level"), "get_inherent_level_display"),
    Column(_("Treatment"), "get_treatment_display"),
    Column(_("Residual likelihood"), "residual_likelihood"),
    Column(_("Residual impact"), "residual_impact"),
    Column(_("Residual score"), "residual_score"),
    Column(_("Residual level"), "get_residual_level_display"),
    Column(_("Status"), "get_status_display"),
    Column(_("Next review"), "next_review_at"),
]
