"""Scoped reads of the co-construction cycle. The API and the UI both go through these.

Who sees what (``Actor`` from ``stakeholders.access``):
- alliances: the lead library's people, and the people of every active member organisation
  (django-guardian ``view_alliance`` on the organisation's group, kept by ``alliance.access``).
- projects: the lead library's people, the project's participants, and the alliance's guiding and
  funding government bodies (``view_project``). Partners in the alliance but not in the project do not.
- needs: the library's own people, and members of the alliance a need was shared with.
- deliverables, trials, corrections, sign-offs, transitions: those who see the project; readers see
  only the trials they are invited to.
- training: programmes of visible alliances, and those the actor's organisation runs.
- guidance (policies, standards): every signed-in person; guidance is public by nature.
Superusers see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.permissions import granted_ids, restrict
from stakeholders.access import Actor
from stakeholders.choices import PARTNER_KINDS
from stakeholders.models import Capability, CredibilityAssessment, Organization

from .access import VIEW_ALLIANCE, VIEW_PROJECT
from .choices import GOVERNMENT_ROLES, GuidanceKind, TrialStatus
from .cycle import Option, available_transitions
from .models import (
    Alliance,
    AllianceMember,
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    GuidanceDocument,
    Milestone,
    Need,
    NeedEvidence,
    PartnerInvitation,
    Project,
    ProjectNeed,
    ProjectParticipant,
    ProjectStandard,
    Signoff,
    TrainingAttendance,
    TrainingEnrolment,
    TrainingProgram,
    TrainingSession,
    Transition,
    Trial,
    TrialInvitation,
    TrialResponse,
)
from .results import OPEN_CORRECTION_STATUSES, TrialResult, judge, open_deviation_count, round_mean, trial_result

__all__ = [
    "Option",
    "Round",
    "Suggestion",
    "TrialResult",
    "alliance_list_for",
    "alliance_member_list_for",
    "available_transitions",
    "correction_list_for",
    "deliverable_list_for",
    "government_compliance",
    "guidance_list_for",
    "milestone_list_for",
    "need_list_for",
    "partner_invitation_list_for",
    "partner_suggestions",
    "project_list_for",
    "project_rounds",
    "project_transitions",
    "signoff_list_for",
    "training_enrolment_list_for",
    "training_program_list_for",
    "trial_list_for",
    "trial_result",
]


def _count(model: type[Model], fk: str, **filters: Any) -> Subquery:
    """A correlated COUNT, so several counts on one list do not multiply each other's joins."""
    inner = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), 0)  # type: ignore[return-value]


# --- alliances ----------------------------------------------------------------------------------------------


def visible_alliances(actor: Actor) -> QuerySet[Alliance]:
    """Alliances the actor may see, unannotated (for use inside other filters)."""
    if not actor.is_authenticated:
        return Alliance.objects.none()
    if actor.is_superuser:
        return Alliance.objects.all()
    return restrict(Alliance.objects.all(), actor, VIEW_ALLIANCE)


def alliance_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Alliance]:
    """Alliances the actor may see, with the lead library and counts of members and projects."""
    qs = visible_alliances(actor).select_related("lead_library")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(
        member_count=_count(AllianceMember, "alliance", archived_at__isnull=True),
        project_count=_count(Project, "alliance", archived_at__isnull=True),
    ).order_by("name", "id")


def alliance_member_list_for(actor: Actor, alliance: Alliance | None = None) -> QuerySet[AllianceMember]:
    """Active members of the alliances the actor sees, with their organisation and benefit terms."""
    qs = AllianceMember.objects.active().filter(alliance__in=visible_alliances(actor))
    if alliance is not None:
        qs = qs.filter(alliance=alliance)
    return qs.select_related("organization", "alliance").order_by("alliance_id", "role", "organization__name_zh")


def partner_invitation_list_for(actor: Actor) -> QuerySet[PartnerInvitation]:
    """Invitations to the actor's organisations, and those sent by alliances the actor's library leads."""
    qs = PartnerInvitation.objects.select_related("alliance", "organization", "project", "need", "invited_by")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        orgs = actor.organization_ids
        qs = qs.filter(Q(organization_id__in=orgs) | Q(alliance__lead_library_id__in=orgs))
    return qs.order_by("-created_at", "-id")


# --- needs and partner matching ---------------------------------------------------------------------------------


def need_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Need]:
    """Needs of the actor's libraries, and needs shared with alliances the actor sees; with evidence counted."""
    qs = Need.objects.select_related("library", "alliance")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        qs = qs.filter(Q(library_id__in=actor.organization_ids) | Q(alliance__in=visible_alliances(actor)))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(evidence_count=_count(NeedEvidence, "need", archived_at__isnull=True)).order_by(
        "-created_at", "-id"
    )


@dataclass(frozen=True)
class Suggestion:
    """An organisation whose capability fits a need, ranked by fit weighted by credibility."""

    organization: Organization
    capability: Capability
    similarity: float
    credibility: int | None
    score: float
    in_alliance: bool
    # Computed from the partner's record (``selectors_contracts.partner_credibility``); ``credibility`` is the
    # foundation's latest assessment. Matching weighs their mean.
    record_credibility: int | None = None


class _WordSimilarity(Func):
    # word_similarity(capability text, need text): how well the capability appears somewhere in the need.
    function = "word_similarity"
    output_field = FloatField()


# An organisation nobody has assessed yet counts as middling, neither rewarded nor ruled out.
UNASSESSED_CREDIBILITY = 50
MIN_SIMILARITY = 0.1


def partner_suggestions(need: Need, *, limit: int = 10) -> list[Suggestion]:
    """Enterprises, universities and research institutes whose capabilities fit the need, best first (two queries).

    Fit is the PostgreSQL trigram word similarity of each capability's titles, keywords and description
    against the need's title, keywords and description; it is weighted by the organisation's latest
    credibility score (0–100) as ``fit × (0.5 + score / 200)``, so credibility can halve but never
    replace fit. The score weighed is the mean of the foundation's latest assessment and the credibility
    computed from the partner's record (``selectors_contracts.blended_credibility``), or whichever exists.
    One suggestion per organisation, through its best-fitting capability. Two queries, and five for the
    record of the candidates.
    """
    from .selectors_contracts import blended_credibility, partner_credibility

    text = need.match_text
    latest_score = (
        CredibilityAssessment.objects.filter(organization_id=OuterRef("organization_id"), archived_at__isnull=True)
        .order_by("-assessed_on", "-id")
        .values("score")[:1]
    )
    similarity = Greatest(
        _WordSimilarity(F("title_zh"), Value(text)),
        _WordSimilarity(F("title_en"), Value(text)),
        _WordSimilarity(F("keywords"), Value(text)),
        _WordSimilarity(F("description"), Value(text)),
    )
    capabilities = (
        Capability.objects.active()
        .filter(organization__archived_at__isnull=True, organization__kind__in=PARTNER_KINDS)
        .exclude(organization_id=need.library_id)
        .select_related("organization")
        .annotate(similarity=similarity, credibility=Subquery(latest_score, output_field=IntegerField()))
        .filter(similarity__gte=MIN_SIMILARITY)
        .annotate(
            score=F("similarity")
            * (Value(0.5) + Coalesce(F("credibility"), Value(UNASSESSED_CREDIBILITY)) / Value(200.0))
        )
        .order_by("-score", "id")[: limit * 5]
    )
    members: set[int] = set()
    if need.alliance_id:
        members = set(
            AllianceMember.objects.active()
            .filter(alliance_id=need.alliance_id)
            .values_list("organization_id", flat=True)
        )
    candidates = list(capabilities)
    record = partner_credibility({cap.organization_id for cap in candidates})
    best: dict[int, Suggestion] = {}
    for cap in candidates:
        recorded = record[cap.organization_id].score
        blended = blended_credibility(cap.credibility, recorded)  # type: ignore[attr-defined]
        weight = 0.5 + (UNASSESSED_CREDIBILITY if blended is None else blended) / 200
        score = round(float(cap.similarity) * weight, 3)  # type: ignore[attr-defined]
        if cap.organization_id in best and best[cap.organization_id].score >= score:
            continue
        best[cap.organization_id] = Suggestion(
            organization=cap.organization,
            capability=cap,
            similarity=round(float(cap.similarity), 3),  # type: ignore[attr-defined]
            credibility=cap.credibility,  # type: ignore[attr-defined]
            score=score,
            in_alliance=cap.organization_id in members,
            record_credibility=recorded,
        )
    ranked = sorted(best.values(), key=lambda s: (-s.score, s.capability.pk))
    return ranked[:limit]


# --- projects ---------------------------------------------------------------------------------------------------


def visible_projects(actor: Actor) -> QuerySet[Project]:
    if not actor.is_authenticated:
        return Project.objects.none()
    if actor.is_superuser:
        return Project.objects.all()
    return restrict(Project.objects.all(), actor, VIEW_PROJECT)


def project_list_for(
    actor: Actor, *, alliance: Alliance | None = None, status: str | None = None, include_archived: bool = False
) -> QuerySet[Project]:
    """Projects the actor may see, with alliance, participants (active, with organisations) and open corrections.

    The visible ids are resolved first (one query over the permission tables) and the list filters with
    that literal list: the planner misjudges visible_projects()'s subqueries as most of the table.
    """
    projects = Project.objects.all()
    if not actor.is_superuser:
        projects = projects.filter(pk__in=granted_ids(Project, actor, VIEW_PROJECT))
    qs = projects.select_related("alliance", "alliance__lead_library")
    if alliance is not None:
        qs = qs.filter(alliance=alliance)
    if status:
        qs = qs.filter(status=status)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    participants = ProjectParticipant.objects.active().select_related("organization").order_by("role", "id")
    return (
        qs.prefetch_related(Prefetch("participants", queryset=participants, to_attr="active_participants"))
        .annotate(
            open_correction_count=_count(
                CorrectionRequest, "project", archived_at__isnull=True, status__in=OPEN_CORRECTION_STATUSES
            ),
            need_count=_count(ProjectNeed, "project"),
        )
        .order_by("-created_at", "-id")
    )


def project_transitions(project: Project) -> QuerySet[Transition]:
    """The project's recorded path through the cycle, oldest first (for a project the caller may see)."""
    return project.transitions.select_related("actor", "organization").order_by("at", "id")


def milestone_list_for(actor: Actor, project: Project | None = None) -> QuerySet[Milestone]:
    qs = Milestone.objects.active().filter(project__in=visible_projects(actor)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("due_on", "id")


def deliverable_list_for(actor: Actor, project: Project | None = None) -> QuerySet[Deliverable]:
    """Deliverables of visible projects, with their versions newest first in ``version_list``."""
    qs = Deliverable.objects.active().filter(project__in=visible_projects(actor)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    versions = DeliverableVersion.objects.active().select_related("uploaded_by").order_by("-number")
    return qs.prefetch_related(Prefetch("versions", queryset=versions, to_attr="version_list")).order_by("id")


def trial_list_for(actor: Actor, project: Project | None = None) -> QuerySet[Trial]:
    """Trials of visible projects; a reader sees only the trials they are invited to. With response statistics."""
    qs = Trial.objects.active().select_related("project", "version", "version__deliverable")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        by_project = Q(project__in=visible_projects(actor)) if actor.memberships else Q(pk__in=[])
        by_invitation = (
            Q(invitations__reader=actor.reader_profile) if actor.reader_profile is not None else Q(pk__in=[])
        )
        qs = qs.filter(by_project | by_invitation)
    if project is not None:
        qs = qs.filter(project=project)
    mean = (
        TrialResponse.objects.filter(trial=OuterRef("pk"))
        .order_by()
        .values("trial")
        .annotate(m=Avg("satisfaction"))
        .values("m")
    )
    qs = qs.annotate(
        response_count=_count(TrialResponse, "trial"),
        invited_count=_count(TrialInvitation, "trial"),
        mean_satisfaction=Subquery(mean),
    )
    if actor.reader_profile is not None:
        qs = qs.annotate(
            has_responded=Exists(TrialResponse.objects.filter(trial=OuterRef("pk"), reader=actor.reader_profile))
        )
    return qs.distinct().order_by("-created_at", "-id")


def correction_list_for(
    actor: Actor, *, project: Project | None = None, status: str | None = None
) -> QuerySet[CorrectionRequest]:
    """Correction requests of visible projects, most urgent first (open, then by due date)."""
    qs = CorrectionRequest.objects.active().filter(project__in=visible_projects(actor))
    if project is not None:
        qs = qs.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("project", "trial", "fixed_in", "verified_in", "raised_by", "answered_by").order_by(
        "status", "due_on", "id"
    )


def signoff_list_for(actor: Actor, project: Project) -> QuerySet[Signoff]:
    return (
        Signoff.objects.filter(project=project, project__in=visible_projects(actor))
        .select_related("organization", "signed_by", "trial")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class Round:
    """One turn of the loop: a delivered version, its trial's result, the deviations it opened and closed."""

    number: int
    trial: Trial
    version: DeliverableVersion
    response_count: int
    mean_satisfaction: Decimal | None
    open_deviations: int
    meets_criteria: bool
    deviations_opened: int
    deviations_closed: int
    days_taken: int


def project_rounds(project: Project) -> list[Round]:
    """Per trial round of the project: version, result, deviations opened and closed, and days from release to close.

    Two queries whatever the number of rounds (one more for the open-deviation count of a running trial).
    """
    mean = (
        TrialResponse.objects.filter(trial=OuterRef("pk"))
        .order_by()
        .values("trial")
        .annotate(m=Avg("satisfaction"))
        .values("m")
    )
    trials = (
        Trial.objects.active()
        .filter(project=project)
        .select_related("version", "version__deliverable")
        .annotate(
            n_responses=_count(TrialResponse, "trial"),
            mean=Subquery(mean),
            opened=_count(CorrectionRequest, "trial", archived_at__isnull=True),
            closed=_count(CorrectionRequest, "verified_in", archived_at__isnull=True),
        )
        .order_by("created_at", "id")
    )
    today = timezone.localdate()
    live_open: int | None = None
    rounds = []
    for number, trial in enumerate(trials, start=1):
        if trial.status == TrialStatus.CLOSED and trial.open_deviations_at_close is not None:
            open_now = trial.open_deviations_at_close
        else:
            if live_open is None:
                live_open = open_deviation_count(project.pk)
            open_now = live_open
        avg = round_mean(trial.mean)  # type: ignore[attr-defined]
        meets, _shortfalls = judge(trial, response_count=trial.n_responses, mean=avg, open_deviations=open_now)  # type: ignore[attr-defined]
        if trial.met_criteria is not None:
            meets = trial.met_criteria
        end: date = timezone.localdate(trial.closed_at) if trial.closed_at else today
        rounds.append(
            Round(
                number=number,
                trial=trial,
                version=trial.version,
                response_count=trial.n_responses,  # type: ignore[attr-defined]
                mean_satisfaction=avg,
                open_deviations=open_now,
                meets_criteria=meets,
                deviations_opened=trial.opened,  # type: ignore[attr-defined]
                deviations_closed=trial.closed,  # type: ignore[attr-defined]
                days_taken=max((end - trial.version.released_on).days, 0),
            )
        )
    return rounds


# --- training -----------------------------------------------------------------------------------------------------


def training_program_list_for(actor: Actor) -> QuerySet[TrainingProgram]:
    """Programmes of visible alliances and those the actor's organisations run, with counts."""
    qs = TrainingProgram.objects.active().select_related("alliance", "trainer")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        qs = qs.filter(Q(alliance__in=visible_alliances(actor)) | Q(trainer_id__in=actor.organization_ids))
    return qs.annotate(
        session_count=_count(TrainingSession, "program", archived_at__isnull=True),
        enrolment_count=_count(TrainingEnrolment, "program", archived_at__isnull=True),
        completed_count=_count(TrainingEnrolment, "program", archived_at__isnull=True, completed_at__isnull=False),
    ).order_by("-created_at", "-id")


def training_enrolment_list_for(actor: Actor, program: TrainingProgram | None = None) -> QuerySet[TrainingEnrolment]:
    """The actor's own enrolments, those of programmes their organisation runs, and of their libraries' staff."""
    qs = TrainingEnrolment.objects.active().select_related("program", "trainee", "library")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        qs = qs.filter(
            Q(trainee=actor.user)
            | Q(program__trainer_id__in=actor.organization_ids)
            | Q(library_id__in=actor.managed_library_ids)
        )
    if program is not None:
        qs = qs.filter(program=program)
    return qs.annotate(
        attended_count=_count(TrainingAttendance, "enrolment", attended=True),
    ).order_by("program_id", "trainee__username")


# --- guidance and compliance ------------------------------------------------------------------------------------


def guidance_list_for(
    actor: Actor, *, kind: str | None = None, include_archived: bool = False
) -> QuerySet[GuidanceDocument]:
    """Policies and standards: public to every signed-in person. ``kind`` is ``policy`` or ``standard``."""
    qs = GuidanceDocument.objects.select_related("issuer")
    if not actor.is_authenticated:
        return qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(
        project_count=_count(ProjectStandard, "standard", archived_at__isnull=True),
    ).order_by("-effective_on", "-id")


def government_compliance(actor: Actor) -> QuerySet[Project]:
    """For a government body: projects of the alliances it guides or funds, each with its declared standards.

    ``project.standards_declared`` lists the active declarations with their standard and issuer.
    """
    qs = Project.objects.active().select_related("alliance", "alliance__lead_library")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        guided = AllianceMember.objects.active().filter(
            organization_id__in=actor.organization_ids, role__in=GOVERNMENT_ROLES
        )
        qs = qs.filter(alliance_id__in=guided.values("alliance_id"))
    declarations = (
        ProjectStandard.objects.active()
        .filter(standard__kind=GuidanceKind.STANDARD)
        .select_related("standard", "standard__issuer")
        .order_by("standard__code", "id")
    )
    return (
        qs.prefetch_related(Prefetch("declared_standards", queryset=declarations, to_attr="standards_declared"))
        .annotate(
            open_correction_count=_count(
                CorrectionRequest, "project", archived_at__isnull=True, status__in=OPEN_CORRECTION_STATUSES
            ),
            critical_open_count=_count(
                CorrectionRequest,
                "project",
                archived_at__isnull=True,
                status__in=OPEN_CORRECTION_STATUSES,
                severity="critical",
            ),
        )
        .order_by("alliance__name", "-created_at", "id")
    )


def guidance_concerned_organization_ids(document: GuidanceDocument) -> set[int]:
    """The organisations a policy or standard concerns: every active member of the alliances its issuer is in
    (the issuer itself left out). Publishing notifies them and asks each to acknowledge it."""
    alliances = AllianceMember.objects.active().filter(organization_id=document.issuer_id).values("alliance_id")
    return set(
        AllianceMember.objects.active()
        .filter(alliance_id__in=alliances, organization__archived_at__isnull=True)
        .exclude(organization_id=document.issuer_id)
        .values_list("organization_id", flat=True)
    )
