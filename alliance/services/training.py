"""Universities and research institutes train the alliance's library staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Membership, Organization

from ..choices import AllianceRole
from ..models import (
    Alliance,
    AllianceMember,
    TrainingAttendance,
    TrainingEnrolment,
    TrainingProgram,
    TrainingSession,
)
from ..parties import notice
from ._common import full_clean, require_active

TRAINER_KINDS = (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH)


def _require_trainer(actor: Actor, program: TrainingProgram) -> None:
    if not actor.writes_for(program.trainer_id):
        raise NotAllowed(_("Only the training organisation's people may run its programme."))


@transaction.atomic
def training_program_create(
    *,
    actor: Actor,
    alliance: Alliance,
    trainer: Organization,
    title: str,
    description: str = "",
    required_sessions: int = 1,
) -> TrainingProgram:
    """A university or research institute of the alliance offers a programme to its library staff."""
    if trainer.kind not in TRAINER_KINDS:
        raise DomainError(_("Training is given by a university or a research institute."))
    if not (actor.writes_for(trainer.pk) or actor.manages(alliance.lead_library_id)):
        raise NotAllowed(_("Only the trainer's people or the lead library's managers may create a programme."))
    require_active(alliance, _("alliance"))
    if not AllianceMember.objects.active().filter(alliance=alliance, organization=trainer).exists():
        raise ConflictError(_("%(org)s is not a member of the alliance.") % {"org": trainer.name_zh})
    program = TrainingProgram(
        alliance=alliance,
        trainer=trainer,
        title=title.strip(),
        description=description,
        required_sessions=required_sessions,
    )
    full_clean(program)
    program.save()
    return program


@transaction.atomic
def training_session_add(
    *, actor: Actor, program: TrainingProgram, topic: str, starts_at: datetime, ends_at: datetime, location: str = ""
) -> TrainingSession:
    program = TrainingProgram.objects.get(pk=program.pk)
    _require_trainer(actor, program)
    require_active(program, _("programme"))
    if ends_at <= starts_at:
        raise DomainError(_("A session ends after it starts."), fields={"ends_at": [_("Before the start.")]})
    session = TrainingSession(
        program=program, topic=topic.strip(), starts_at=starts_at, ends_at=ends_at, location=location
    )
    full_clean(session)
    session.save()
    return session


@transaction.atomic
def training_enrol(*, actor: Actor, program: TrainingProgram, trainee: Any) -> TrainingEnrolment:
    """Enrol a member of a library of the alliance: themself, or by a manager of their library."""
    require_active(program, _("programme"))
    libraries = list(
        AllianceMember.objects.active()
        .filter(alliance_id=program.alliance_id, role=AllianceRole.DEMAND)
        .values_list("organization_id", flat=True)
    )
    membership = (
        Membership.objects.active().filter(user=trainee, organization_id__in=libraries).order_by("created_at").first()
    )
    if membership is None:
        raise DomainError(_("Only staff of the alliance's libraries can be trained."))
    is_self = actor.is_authenticated and actor.user.pk == trainee.pk
    if not (is_self or actor.manages(membership.organization_id)):
        raise NotAllowed(_("Enrol yourself, or ask a manager of your library."))
    try:
        with transaction.atomic():
            enrolment = TrainingEnrolment.objects.create(
                program=program, trainee=trainee, library_id=membership.organization_id
            )
    except IntegrityError as exc:
        raise ConflictError(_("Already enrolled.")) from exc
    return enrolment


@transaction.atomic
def training_record_attendance(
    *, actor: Actor, session: TrainingSession, enrolment: TrainingEnrolment, attended: bool = True
) -> TrainingAttendance:
    """The trainer records who came to a session (recording again corrects the record)."""
    session = TrainingSession.objects.select_related("program").get(pk=session.pk)
    enrolment = TrainingEnrolment.objects.get(pk=enrolment.pk)
    program = session.program
    _require_trainer(actor, program)
    if enrolment.program_id != program.pk or enrolment.is_archived:
        raise DomainError(_("The trainee is not enrolled in this programme."))
    attendance, _created = TrainingAttendance.objects.update_or_create(
        session=session, enrolment=enrolment, defaults={"attended": attended, "recorded_by": actor.user}
    )
    return attendance


@transaction.atomic
def training_complete(*, actor: Actor, enrolment: TrainingEnrolment) -> TrainingEnrolment:
    """The trainer marks a trainee complete once they attended the sessions the programme requires."""
    locked = TrainingEnrolment.objects.select_for_update(of=("self",)).select_related("program").get(pk=enrolment.pk)
    _require_trainer(actor, locked.program)
    if locked.completed_at is not None:
        raise ConflictError(_("Already completed."))
    attended = locked.attendance.filter(attended=True).count()
    if attended < locked.program.required_sessions:
        raise ConflictError(
            _("%(attended)d of %(required)d required sessions attended.")
            % {"attended": attended, "required": locked.program.required_sessions}
        )
    locked.completed_at = timezone.now()
    locked.save(update_fields=["completed_at", "updated_at"])
    notify(
        recipients=[locked.trainee],
        event="alliance.training.completed",
        title=notice(gettext_lazy("You completed %(program)s"), {"program": locked.program.title}),
        actor=actor.user,
        data={"enrolment": locked.pk},
    )
    return locked


@transaction.atomic
def training_program_archive(*, actor: Actor, program: TrainingProgram) -> TrainingProgram:
    """The trainer (or the lead library's managers) close a programme; enrolments and attendance stay on record."""
    locked = TrainingProgram.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=program.pk)
    if not (actor.writes_for(locked.trainer_id) or actor.manages(locked.alliance.lead_library_id)):
        raise NotAllowed(_("Only the trainer's people or the lead library's managers may archive a programme."))
    require_active(locked, _("programme"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked
