"""Drill-down of the oversight page: the items behind each figure, within the alliances the actor oversees.

Each figure of ``selectors.oversight`` (projects by state, live risks by residual level, funds, reader rating,
trial satisfaction, the four kinds of overdue item) lists its items here with the same filters the figure
counts with, so a figure and its list agree. The alliance ids come from ``selectors.insight_alliances``: a
government body's list holds only what it guides or funds. Reader feedback is listed without its text or its
reader (the oversight reads how projects serve readers, not what one reader wrote). One query per list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.choices import ProjectStatus
from alliance.models import Project, Trial
from feedback.models import Feedback
from risk.choices import RiskLevel

from . import selectors

FIGURES = (
    "projects",
    "risks",
    "funds",
    "feedback",
    "trials",
    "corrections",
    "milestones",
    "risk_reviews",
    "mitigations",
)
TITLES = {
    "projects": _("Projects"),
    "risks": _("Live risks"),
    "funds": _("Funds by project"),
    "feedback": _("Rated reader feedback on projects"),
    "trials": _("Trials with reader responses"),
    "corrections": _("Overdue corrections"),
    "milestones": _("Overdue milestones"),
    "risk_reviews": _("Overdue risk reviews"),
    "mitigations": _("Overdue mitigations"),
}

OVERDUE_LABELS = {
    "corrections": _("Corrections"),
    "milestones": _("Milestones"),
    "risk_reviews": _("Risk reviews"),
    "mitigations": _("Mitigations"),
}


@dataclass
class Item:
    """One row of a drill-down list: the item, its alliance and project, and the figure-specific cells."""

    alliance_id: int
    title: str
    project_id: int | None
    project: str
    cells: list[Any] = field(default_factory=list)


def columns(figure: str) -> list[Any]:
    """The headings of the figure-specific cells (after alliance, item and project)."""
    return {
        "projects": [_("State"), _("Starts on"), _("Ends on"), _("Budget (CNY)")],
        "risks": [_("Residual level"), _("Status"), _("Next review")],
        "funds": [_("Budget (plan)"), _("Allocated"), _("Released"), _("Spent")],
        "feedback": [_("Kind"), _("Submitted"), _("Rating"), _("Status")],
        "trials": [_("Starts on"), _("Ends on"), _("Responses"), _("Mean satisfaction")],
        "corrections": [_("Severity"), _("Due on"), _("Status")],
        "milestones": [_("Due on")],
        "risk_reviews": [_("Residual level"), _("Next review")],
        "mitigations": [_("Risk"), _("Owner"), _("Due on"), _("Progress (%)")],
    }[figure]


def valid_key(figure: str, key: str) -> bool:
    """Whether ``key`` narrows the figure: a project state for projects, a residual level for risks."""
    if figure == "projects":
        return key in ProjectStatus.values
    if figure == "risks":
        return key in RiskLevel.values
    return False


def oversight_items(figure: str, alliance_ids: list[int], *, key: str = "", today: date | None = None) -> list[Item]:
    """The items behind one oversight figure across the alliances (``key``: a project state or risk level)."""
    today = today or timezone.localdate()
    builder = _BUILDERS[figure]
    return builder(alliance_ids, key, today)


def _projects(alliance_ids: list[int], key: str, today: date) -> list[Item]:
    qs = Project.objects.filter(alliance_id__in=alliance_ids, archived_at__isnull=True)
    if key:
        qs = qs.filter(status=key)
    return [
        Item(p.alliance_id, p.title, p.pk, p.title, [p.get_status_display(), p.starts_on, p.ends_on, p.budget])
        for p in qs.order_by("alliance_id", "title", "id")
    ]


def _risks(alliance_ids: list[int], key: str, today: date) -> list[Item]:
    qs = selectors._live_risks(alliance_ids).select_related("register__alliance", "register__project")
    if key:
        qs = qs.filter(residual_level=key)
    return [_risk_item(r, [r.get_residual_level_display(), r.get_status_display(), r.next_review_at]) for r in qs]


def _risk_item(risk: Any, cells: list[Any]) -> Item:
    project = risk.register.project
    return Item(
        risk.register.alliance_id, risk.title, project.pk if project else None, project.title if project else "", cells
    )


def _funds(alliance_ids: list[int], key: str, today: date) -> list[Item]:
    money = selectors.funding(alliance_ids, selectors.oversight_period(today))
    ids = {pid for block in money.values() for pid in block["by_project"]}
    projects = {p.pk: p for p in Project.objects.filter(pk__in=ids)}
    out = []
    for aid, block in money.items():
        for pid, stages in block["by_project"].items():
            project = projects.get(pid)
            title = project.title if project else ""
            cells = [stages.get(stage, Decimal("0")) for stage in selectors.FUND_STAGES]
            out.append(Item(aid, title, pid, title, cells))
    return sorted(out, key=lambda item: (item.alliance_id, item.title))


def _feedback(alliance_ids: list[int], key: str, today: date) -> list[Item]:
    qs = (
        Feedback.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True, rating__isnull=False)
        .select_related("project")
        .only("id", "kind", "rating", "status", "created_at", "project__title", "project__alliance_id")
        .order_by("-created_at", "-id")
    )
    return [
        Item(
            fb.project.alliance_id,
            f"#{fb.pk}",
            fb.project_id,
            fb.project.title,
            [fb.get_kind_display(), fb.created_at, fb.rating, fb.get_status_display()],
        )
        for fb in qs
        if fb.project is not None
    ]


def _trials(alliance_ids: list[int], key: str, today: date) -> list[Item]:
    qs = (
        Trial.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True)
        .annotate(n=Count("responses"), mean=Avg("responses__satisfaction"))
        .filter(Q(n__gt=0))
        .select_related("project", "version__deliverable")
        .order_by("project__alliance_id", "project_id", "starts_on", "id")
    )
    return [
        Item(
            t.project.alliance_id,
            f"{t.version.deliverable.title} v{t.version.number}",
            t.project_id,
            t.project.title,
            [t.starts_on, t.ends_on, t.n, round(float(t.mean), 2) if t.mean is not None else None],
        )
        for t in qs
    ]


def _overdue(kind: str) -> Any:
    def build(alliance_ids: list[int], key: str, today: date) -> list[Item]:
        qs = selectors.overdue_querysets(alliance_ids, today=today, now=timezone.now())[kind]
        if kind == "corrections":
            return [
                Item(c.project.alliance_id, c.title, c.project_id, c.project.title,
                     [c.get_severity_display(), c.due_on, c.get_status_display()])
                for c in qs.select_related("project").order_by("due_on", "id")
            ]  # fmt: skip
        if kind == "milestones":
            return [
                Item(m.project.alliance_id, m.title, m.project_id, m.project.title, [m.due_on])
                for m in qs.select_related("project").order_by("due_on", "id")
            ]
        if kind == "risk_reviews":
            return [
                _risk_item(r, [r.get_residual_level_display(), r.next_review_at])
                for r in qs.select_related("register__project").order_by("next_review_at", "id")
            ]
        return [
            Item(
                m.risk.register.alliance_id, m.title, m.risk.register.project_id,
                m.risk.register.project.title if m.risk.register.project else "",
                [m.risk.title, m.owner_organization.display_name, m.due_on, m.progress],
            )
            for m in qs.select_related("risk__register__project", "owner_organization").order_by("due_on", "id")
        ]  # fmt: skip

    return build


_BUILDERS = {
    "projects": _projects,
    "risks": _risks,
    "funds": _funds,
    "feedback": _feedback,
    "trials": _trials,
    **{kind: _overdue(kind) for kind in selectors.OVERDUE_KINDS},
}
