"""Where the insight measures get their activity from: a registry of sources, one per kind of recorded event.

A source is a function ``(alliance_ids, period) -> list[Activity]``. It reads one kind of event that some app
records (a project transition, a sign-off, a correction answered...), and answers it already counted: one
``Activity`` per (alliance, organisation, activity kind, counterpart, month), from one or two GROUP BY queries
whatever the number of alliances or events. The measures in ``insight.selectors`` only add these rows up, so
they never learn which app an event came from.

Apps that are built later plug in the same way, from their ``AppConfig.ready()``::

    from insight.sources import register_source
    register_source("meeting_attended", meeting_attendance_rows)      # coordination: meetings
    register_source("contract_signed", contract_signature_rows)      # alliance contracts: signatures
    register_funding_source("grant", grant_rows)                     # funding: see ``FundingRow``

The registry is keyed by activity kind, so registering twice replaces rather than double-counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from alliance.choices import ParticipantRole
from alliance.models import (
    AllianceMember,
    CorrectionRequest,
    Project,
    ProjectParticipant,
    Signoff,
    TrainingEnrolment,
    Transition,
    Trial,
    TrialResponse,
)
from feedback.choices import FeedbackStatus
from feedback.models import Feedback, FeedbackTransition
from risk.models import PreAssessment
from stakeholders.models import CredibilityAssessment, Organization


@dataclass(frozen=True)
class Period:
    """A half-open time window [start, end) with the label a report shows (``2026``, ``2026Q3``)."""

    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True)
class Activity:
    """Counted events: ``count`` times, in ``month``, ``organization_id`` did ``kind`` (towards ``counterpart_id``)."""

    alliance_id: int
    organization_id: int
    organization_kind: str
    kind: str
    counterpart_id: int | None
    month: date
    count: int


Source = Callable[[list[int], Period], list[Activity]]


@dataclass(frozen=True)
class FundingRow:
    """Money recorded for an alliance's project: ``amount`` (CNY) of ``stage`` ("budgeted", "committed", "paid")."""

    alliance_id: int
    project_id: int | None
    organization_id: int | None
    stage: str
    amount: Decimal
    month: date | None
    source_id: int | None = None  # the FundingSource, when the row comes from a funding record
    # A source's own plan (its amount, the funder's): shown against the source and its funder only, never added
    # to the totals, projects or months, where the plan is the projects' budgets.
    source_plan: bool = False


FundingSource = Callable[[list[int], Period], list[FundingRow]]

_SOURCES: dict[str, tuple[Any, Source]] = {}
_FUNDING_SOURCES: dict[str, tuple[Any, FundingSource]] = {}


def register_source(kind: str, fn: Source, label: Any = None) -> None:
    """Add (or replace) the source of one activity kind; ``label`` is its translatable name on pages and reports."""
    _SOURCES[kind] = (label or kind, fn)


def register_funding_source(name: str, fn: FundingSource, label: Any = None) -> None:
    _FUNDING_SOURCES[name] = (label or name, fn)


def activity_labels() -> dict[str, Any]:
    return {kind: label for kind, (label, _fn) in _SOURCES.items()}


def funding_labels() -> dict[str, Any]:
    return {name: label for name, (label, _fn) in _FUNDING_SOURCES.items()}


def collect(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Every registered source's rows for the alliances in the period (a constant number of queries)."""
    if not alliance_ids:
        return []
    rows: list[Activity] = []
    for _label, fn in _SOURCES.values():
        rows.extend(fn(alliance_ids, period))
    return rows


def collect_funding(alliance_ids: list[int], period: Period) -> list[FundingRow]:
    if not alliance_ids:
        return []
    rows: list[FundingRow] = []
    for _label, fn in _FUNDING_SOURCES.values():
        rows.extend(fn(alliance_ids, period))
    return rows


# --- helpers ----------------------------------------------------------------------------------------------------


def _provider_of(project_path: str) -> Subquery:
    """The id of the active provider of the project at ``project_path`` (the correction's other side)."""
    return Subquery(
        ProjectParticipant.objects.filter(
            project_id=OuterRef(project_path), role=ParticipantRole.PROVIDER, archived_at__isnull=True
        ).values("organization_id")[:1]
    )


def _rows(
    qs: QuerySet[Any],
    *,
    kind: str,
    when: str,
    alliance: str,
    organization: str,
    organization_kind: str,
    counterpart: str | None,
    period: Period,
    count: str = "pk",
) -> list[Activity]:
    """GROUP BY alliance, organisation, counterpart and month over ``qs`` filtered to the period.

    ``count`` names what is counted (distinct): the row itself, or e.g. the meeting of an attendance.
    """
    qs = qs.filter(**{f"{when}__gte": period.start, f"{when}__lt": period.end}).exclude(
        **{f"{organization}__isnull": True}
    )
    values: dict[str, Any] = {
        "a": F(alliance),
        "o": F(organization),
        "k": F(organization_kind),
        "m": TruncMonth(when),
    }
    if counterpart is not None:
        values["c"] = F(counterpart)
    grouped = qs.order_by().annotate(**values).values(*values.keys()).annotate(n=Count(count, distinct=count != "pk"))
    return [
        Activity(
            alliance_id=row["a"],
            organization_id=row["o"],
            organization_kind=row["k"],
            kind=kind,
            counterpart_id=row.get("c") if row.get("c") != row["o"] else None,
            month=_month(row["m"]),
            count=row["n"],
        )
        for row in grouped
    ]


def _month(value: Any) -> date:
    return value.date().replace(day=1) if isinstance(value, datetime) else value.replace(day=1)


# --- the sources of what exists now ------------------------------------------------------------------------------


def transitions(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Project transitions, by the organisation that moved the project (no counterpart)."""
    return _rows(
        Transition.objects.filter(project__alliance_id__in=alliance_ids),
        kind="transition",
        when="at",
        alliance="project__alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart=None,
        period=period,
    )


def signoffs(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Sign-offs of trial outcomes: the signing organisation towards the project's provider."""
    qs = Signoff.objects.filter(project__alliance_id__in=alliance_ids).annotate(provider_id=_provider_of("project_id"))
    return _rows(
        qs,
        kind="signoff",
        when="created_at",
        alliance="project__alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart="provider_id",
        period=period,
    )


def corrections_raised(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Correction requests raised: the lead library towards the provider who must correct."""
    qs = CorrectionRequest.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True).annotate(
        provider_id=_provider_of("project_id")
    )
    return _rows(
        qs,
        kind="correction_raised",
        when="created_at",
        alliance="project__alliance_id",
        organization="project__alliance__lead_library_id",
        organization_kind="project__alliance__lead_library__kind",
        counterpart="provider_id",
        period=period,
    )


def corrections_answered(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Correction requests answered: the provider towards the lead library that raised them."""
    qs = (
        CorrectionRequest.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True)
        .annotate(provider_id=_provider_of("project_id"))
        .filter(provider_id__isnull=False)
    )
    qs = qs.annotate(provider_kind=Subquery(Organization.objects.filter(pk=OuterRef("provider_id")).values("kind")[:1]))
    return _rows(
        qs,
        kind="correction_answered",
        when="answered_at",
        alliance="project__alliance_id",
        organization="provider_id",
        organization_kind="provider_kind",
        counterpart="project__alliance__lead_library_id",
        period=period,
    )


def trials(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Reader trials started: the lead library puts the provider's version before its readers."""
    qs = Trial.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True).annotate(
        provider_id=_provider_of("project_id")
    )
    return _rows(
        qs,
        kind="trial",
        when="created_at",
        alliance="project__alliance_id",
        organization="project__alliance__lead_library_id",
        organization_kind="project__alliance__lead_library__kind",
        counterpart="provider_id",
        period=period,
    )


def trial_responses(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Readers' trial responses, counted for the lead library whose readers gave them (no counterpart)."""
    return _rows(
        TrialResponse.objects.filter(trial__project__alliance_id__in=alliance_ids),
        kind="trial_response",
        when="created_at",
        alliance="trial__project__alliance_id",
        organization="trial__project__alliance__lead_library_id",
        organization_kind="trial__project__alliance__lead_library__kind",
        counterpart=None,
        period=period,
    )


def training(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Training enrolments: the trainer (a university or institute, say) towards the trainee's library."""
    return _rows(
        TrainingEnrolment.objects.filter(program__alliance_id__in=alliance_ids, archived_at__isnull=True),
        kind="training",
        when="created_at",
        alliance="program__alliance_id",
        organization="program__trainer_id",
        organization_kind="program__trainer__kind",
        counterpart="library_id",
        period=period,
    )


def feedback_routed(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Reader feedback on a project routed by the library to the provider (the recorded move to "routed")."""
    return _rows(
        FeedbackTransition.objects.filter(
            to_status=FeedbackStatus.ROUTED, feedback__project__alliance_id__in=alliance_ids
        ),
        kind="feedback_routed",
        when="at",
        alliance="feedback__project__alliance_id",
        organization="feedback__library_id",
        organization_kind="feedback__library__kind",
        counterpart="feedback__routed_to_id",
        period=period,
    )


def feedback_answered(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Reader feedback on a project answered by the library (first answer; the reader is no organisation)."""
    return _rows(
        Feedback.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True),
        kind="feedback_answered",
        when="first_answered_at",
        alliance="project__alliance_id",
        organization="library_id",
        organization_kind="library__kind",
        counterpart=None,
        period=period,
    )


def preassessment_signatures(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Risk pre-assessment signatures: the library's (towards the provider) and the provider's (towards the library)."""
    qs = PreAssessment.objects.filter(project__alliance_id__in=alliance_ids, archived_at__isnull=True)
    library_side = _rows(
        qs,
        kind="preassessment_signed",
        when="library_signed_at",
        alliance="project__alliance_id",
        organization="project__alliance__lead_library_id",
        organization_kind="project__alliance__lead_library__kind",
        counterpart="provider_id",
        period=period,
    )
    provider_side = _rows(
        qs,
        kind="preassessment_signed",
        when="provider_signed_at",
        alliance="project__alliance_id",
        organization="provider_id",
        organization_kind="provider__kind",
        counterpart="project__alliance__lead_library_id",
        period=period,
    )
    return library_side + provider_side


def credibility_assessments(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Credibility assessments made of an alliance member by another member (two queries)."""
    members: dict[int, set[int]] = {}
    for alliance_id, organization_id in (
        AllianceMember.objects.active()
        .filter(alliance_id__in=alliance_ids)
        .values_list("alliance_id", "organization_id")
    ):
        members.setdefault(organization_id, set()).add(alliance_id)
    rows = (
        CredibilityAssessment.objects.filter(
            archived_at__isnull=True,
            organization_id__in=list(members),
            assessed_by_id__in=list(members),
            assessed_on__gte=period.start.date(),
            assessed_on__lt=period.end.date(),
        )
        .order_by()
        .annotate(m=TruncMonth("assessed_on"))
        .values("assessed_by_id", "assessed_by__kind", "organization_id", "m")
        .annotate(n=Count("pk"))
    )
    out = []
    for row in rows:
        # Counted in every alliance both belong to: the assessment speaks to each of those partnerships.
        for alliance_id in sorted(members[row["assessed_by_id"]] & members[row["organization_id"]]):
            out.append(
                Activity(
                    alliance_id=alliance_id,
                    organization_id=row["assessed_by_id"],
                    organization_kind=row["assessed_by__kind"],
                    kind="credibility_assessment",
                    counterpart_id=row["organization_id"],
                    month=_month(row["m"]),
                    count=row["n"],
                )
            )
    return out


def memberships(alliance_ids: list[int], period: Period) -> list[Activity]:
    """Organisations joining the alliance, towards its lead library."""
    return _rows(
        AllianceMember.objects.filter(alliance_id__in=alliance_ids, archived_at__isnull=True),
        kind="joined",
        when="joined_at",
        alliance="alliance_id",
        organization="organization_id",
        organization_kind="organization__kind",
        counterpart="alliance__lead_library_id",
        period=period,
    )


def project_budgets(alliance_ids: list[int], period: Period) -> list[FundingRow]:
    """What the alliance's live projects budget (Project.budget), until funding records arrive from their app."""
    rows = (
        Project.objects.filter(alliance_id__in=alliance_ids, archived_at__isnull=True)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lt=period.end.date()))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start.date()))
        .order_by("alliance_id", "id")
        .values("alliance_id", "id", "budget")
    )
    return [
        FundingRow(
            alliance_id=row["alliance_id"],
            project_id=row["id"],
            organization_id=None,
            stage="budgeted",
            amount=row["budget"],
            month=None,
        )
        for row in rows
    ]


def _register_builtin(entries: Iterable[tuple[str, Source, Any]]) -> None:
    for kind, fn, label in entries:
        register_source(kind, fn, label)


_register_builtin(
    [
        ("transition", transitions, _("Project moves")),
        ("signoff", signoffs, _("Sign-offs")),
        ("correction_raised", corrections_raised, _("Corrections raised")),
        ("correction_answered", corrections_answered, _("Corrections answered")),
        ("trial", trials, _("Reader trials")),
        ("trial_response", trial_responses, _("Trial responses")),
        ("training", training, _("Training enrolments")),
        ("feedback_routed", feedback_routed, _("Feedback routed")),
        ("feedback_answered", feedback_answered, _("Feedback answered")),
        ("preassessment_signed", preassessment_signatures, _("Risk pre-assessment signatures")),
        ("credibility_assessment", credibility_assessments, _("Credibility assessments")),
        ("joined", memberships, _("Joined the alliance")),
    ]
)
register_funding_source("project_budget", project_budgets, _("Project budgets"))
