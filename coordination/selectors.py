"""Scoped reads of meetings, action items and research plans. The API and the UI both go through these.

Who sees what: a meeting, its organiser's and invited organisations' members, people invited by name and,
for a meeting open to the alliance, whoever sees the alliance (see ``coordination.access``). An action item,
whoever sees its meeting, its owner and its owning organisation. A research plan, the members of its
lead and participating organisations and the alliance's lead library. Superusers see everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from alliance.selectors import need_list_for, visible_alliances, visible_projects
from core.permissions import restrict
from feedback.selectors import feedback_list_for
from risk.selectors import risk_list_for
from stakeholders.access import Actor

from .access import VIEW_MEETING
from .choices import ActionStatus, AgendaTarget, MeetingStatus, MeetingVisibility
from .models import ActionItem, Meeting, MeetingInvitation, PlanOutput, PlanParticipant, PlanSignature, ResearchPlan

__all__ = [
    "action_item_list_for",
    "agenda_targets_for",
    "dashboard_panel",
    "meeting_list_for",
    "open_action_items_for",
    "plan_list_for",
    "upcoming_meetings_for",
    "visible_meetings",
]


def visible_meetings(actor: Actor) -> QuerySet[Meeting]:
    """Meetings the actor may see, unannotated (for use inside other filters)."""
    if not actor.is_authenticated:
        return Meeting.objects.none()
    if actor.is_superuser:
        return Meeting.objects.all()
    granted = restrict(Meeting.objects.all(), actor, VIEW_MEETING).values("pk")
    return Meeting.objects.filter(
        Q(pk__in=granted) | Q(visibility=MeetingVisibility.ALLIANCE, alliance__in=visible_alliances(actor).values("pk"))
    )


def meeting_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Meeting]:
    """Meetings with alliance, project, organiser and invited organisations, in time order."""
    qs = visible_meetings(actor).select_related("alliance", "project", "organizer", "series")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    invitations = MeetingInvitation.objects.select_related("organization").order_by("id")
    return qs.prefetch_related(Prefetch("invitations", queryset=invitations)).order_by("starts_at", "id")


def upcoming_meetings_for(actor: Actor, *, now: datetime | None = None) -> QuerySet[Meeting]:
    now = now or timezone.now()
    return meeting_list_for(actor).filter(ends_at__gte=now).exclude(status=MeetingStatus.CANCELLED)


def action_item_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[ActionItem]:
    """Action items of visible meetings, and those the actor or their organisations own."""
    qs = ActionItem.objects.select_related("meeting", "owner", "owner_organization", "decision")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        qs = qs.filter(
            Q(owner=actor.user)
            | Q(owner_organization_id__in=actor.organization_ids)
            | Q(meeting__in=visible_meetings(actor).values("pk"))
        )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.order_by("due_on", "id")


def open_action_items_for(actor: Actor) -> QuerySet[ActionItem]:
    """What the actor has to do: open items they own personally, soonest first."""
    if not actor.is_authenticated:
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(owner=actor.user, status=ActionStatus.OPEN, archived_at__isnull=True)
        .select_related("meeting", "owner_organization")
        .order_by("due_on", "id")
    )


def plan_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[ResearchPlan]:
    """Research plans with their lead, participants and every signature (current and earlier versions)."""
    qs = ResearchPlan.objects.select_related("alliance", "lead_organization", "created_by")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        orgs = list(actor.organization_ids)
        taking_part = PlanParticipant.objects.filter(organization_id__in=orgs).values("plan_id")
        qs = qs.filter(Q(lead_organization_id__in=orgs) | Q(pk__in=taking_part) | Q(alliance__lead_library_id__in=orgs))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    participants = PlanParticipant.objects.select_related("organization").order_by("id")
    signatures = PlanSignature.objects.select_related("organization", "signed_by").order_by("signed_at", "id")
    return qs.prefetch_related(
        Prefetch("participants", queryset=participants),
        Prefetch("signatures", queryset=signatures),
        "milestones",
        Prefetch("outputs", queryset=PlanOutput.objects.select_related("ip_asset").order_by("id")),
    ).order_by("-created_at", "-id")


def agenda_targets_for(actor: Actor, kind: str) -> QuerySet[Any]:
    """The objects of one kind the actor may put on an agenda: only what they can see themselves."""
    if kind == AgendaTarget.PROJECT:
        return visible_projects(actor).filter(archived_at__isnull=True)
    if kind == AgendaTarget.NEED:
        return need_list_for(actor)
    if kind == AgendaTarget.RISK:
        return risk_list_for(actor)
    if kind == AgendaTarget.FEEDBACK:
        return feedback_list_for(actor)
    raise ValueError(kind)


def dashboard_panel(actor: Actor) -> dict[str, Any] | None:
    """The dashboard's coordination panel: my open action items and my next meetings (two queries)."""
    if not actor.is_authenticated or not (actor.memberships or actor.is_superuser):
        return None
    items = list(open_action_items_for(actor)[:10])
    meetings = list(upcoming_meetings_for(actor).prefetch_related(None)[:5])
    return {"action_items": items, "upcoming_meetings": meetings, "today": timezone.localdate()}


def plan_signature_counts(plan: ResearchPlan) -> dict[str, int]:
    """How many participants signed the current version (from the prefetched rows)."""
    signed = {s.organization_id for s in plan.signatures.all() if s.version == plan.version}
    return {"signed": len(signed), "needed": len(plan.participants.all())}


def meeting_attendance_counts(meeting: Meeting) -> dict[str, int]:
    return meeting.attendees.aggregate(
        registered=Count("pk", filter=Q(registered_at__isnull=False)), attended=Count("pk", filter=Q(attended=True))
    )
