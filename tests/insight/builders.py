"""Constructed alliances whose insight figures are worked out by hand in the tests (all in the year 2025)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from alliance.models import (
    Alliance,
    AllianceMember,
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    Project,
    ProjectParticipant,
    Signoff,
    TrainingEnrolment,
    TrainingProgram,
    Transition,
    Trial,
)
from feedback.models import Feedback
from tests import factories as f


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h))


@dataclass
class World:
    alliance: Alliance
    library: Any
    enterprise: Any
    university: Any
    government: Any
    research: Any
    project: Project
    user: Any


def _org(kind: str) -> Any:
    return f.OrganizationFactory(kind=kind)


def world(library: Any = None, enterprise: Any = None, government: Any = None) -> World:
    """An alliance led by a library, with an enterprise provider, a university and a government guide.

    The research institute is not a member. Everyone joined in 2024, so joining is outside the year 2025.
    """
    library = library or _org("library")
    enterprise = enterprise or _org("enterprise")
    government = government or _org("government")
    university = _org("university")
    research = _org("research")
    user: Any = f.UserFactory()
    alliance = Alliance.objects.create(name="测试联盟", lead_library=library)
    for org, role in ((library, "demand"), (enterprise, "provider"), (university, "assistant"), (government, "guide")):
        AllianceMember.objects.create(alliance=alliance, organization=org, role=role, joined_at=at(2024, 6, 1))
    project = Project.objects.create(alliance=alliance, title="自助借还", created_by=user, budget=100000)
    ProjectParticipant.objects.create(project=project, organization=enterprise, role="provider")
    return World(alliance, library, enterprise, university, government, research, project, user)


def version(w: World, number: int, released: date) -> DeliverableVersion:
    deliverable = Deliverable.objects.filter(project=w.project).first() or Deliverable.objects.create(
        project=w.project, title="借还机"
    )
    return DeliverableVersion.objects.create(
        deliverable=deliverable, number=number, file="v.pdf", released_on=released, uploaded_by=w.user
    )


def trial(w: World, v: DeliverableVersion, created: datetime, closed: datetime | None = None) -> Trial:
    t = Trial.objects.create(
        project=w.project,
        version=v,
        starts_on=created.date(),
        ends_on=created.date() + timedelta(days=30),
        status="closed" if closed else "running",
        started_at=created,
        closed_at=closed,
    )
    Trial.objects.filter(pk=t.pk).update(created_at=created)
    t.refresh_from_db()
    return t


def correction(
    w: World, t: Trial | None, created: datetime, *, answered: datetime | None = None, verified_in: Any = None,
    closed: datetime | None = None,
) -> CorrectionRequest:  # fmt: skip
    c = CorrectionRequest.objects.create(
        project=w.project,
        trial=t,
        source="trial",
        title="偏差",
        severity="medium",
        due_on=created.date() + timedelta(days=14),
        status="closed" if closed else ("answered" if answered else "open"),
        raised_by=w.user,
        answered_at=answered,
        answered_by=w.user if answered else None,
        fixed_in=verified_in.version if verified_in else None,
        verified_in=verified_in,
        closed_at=closed,
        closed_by=w.user if closed else None,
    )
    CorrectionRequest.objects.filter(pk=c.pk).update(created_at=created)
    return c


def transition(w: World, org: Any, when: datetime, to: str = "needs_analysis") -> None:
    Transition.objects.create(
        project=w.project, name="move", from_status="draft", to_status=to, organization=org, actor=w.user, at=when
    )


def enrol(w: World, trainer: Any, library: Any, when: datetime) -> None:
    program = TrainingProgram.objects.filter(alliance=w.alliance, trainer=trainer).first()
    if program is None:
        program = TrainingProgram.objects.create(alliance=w.alliance, trainer=trainer, title="馆员培训")
    trainee: Any = f.UserFactory()
    e = TrainingEnrolment.objects.create(program=program, trainee=trainee, library=library)
    TrainingEnrolment.objects.filter(pk=e.pk).update(created_at=when)


def signoff(w: World, t: Trial, org: Any, when: datetime) -> None:
    s = Signoff.objects.create(project=w.project, trial=t, organization=org, role="government", signed_by=w.user)
    Signoff.objects.filter(pk=s.pk).update(created_at=when)


def feedback(
    w: World, created: datetime, *, answered_after: float | None = None, resolved_after: float | None = None,
    status: str = "new", reopened: int = 0, rating: int | None = None, reader: bool = True,
) -> Feedback:  # fmt: skip
    profile: Any = f.ReaderFactory(home_library=w.library) if reader else None
    fb = Feedback.objects.create(
        library=w.library,
        reader=profile,
        kind="complaint",
        text="排队太久",
        project=w.project,
        status=status,
        rating=rating,
        reopen_count=reopened,
        first_answered_at=created + timedelta(hours=answered_after) if answered_after is not None else None,
        resolved_at=created + timedelta(hours=resolved_after) if resolved_after is not None else None,
    )
    Feedback.objects.filter(pk=fb.pk).update(created_at=created)
    return fb
