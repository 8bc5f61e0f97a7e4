"""Delivering, trialling with readers, correcting deviations and signing off: the loop of the cycle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import ReaderProfile

from .. import hooks
from ..choices import (
    AllianceRole,
    CorrectionSource,
    CorrectionStatus,
    ParticipantRole,
    ProjectStatus,
    Severity,
    SignoffRole,
    TrialStatus,
)
from ..models import (
    AllianceMember,
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    Project,
    ProjectParticipant,
    Signoff,
    Trial,
    TrialInvitation,
    TrialResponse,
)
from ..parties import LEAD, PROVIDER, notice, organization_users, url_or_blank
from ..validators import validate_deliverable_file
from ._common import full_clean, require_active, require_live, require_party
from .reminders import morning_of

S = ProjectStatus


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)


def _provider_ids(project: Project) -> list[int]:
    return list(
        ProjectParticipant.objects.active()
        .filter(project=project, role=ParticipantRole.PROVIDER)
        .values_list("organization_id", flat=True)
    )


# --- deliverables ------------------------------------------------------------------------------------------


@transaction.atomic
def deliverable_create(*, actor: Actor, project: Project, title: str, description: str = "") -> Deliverable:
    """The library or the provider names something the provider will deliver."""
    locked = _lock_project(project)
    require_party(actor, locked, LEAD, PROVIDER)
    require_live(locked)
    deliverable = Deliverable(project=locked, title=title.strip(), description=description)
    full_clean(deliverable)
    deliverable.save()
    return deliverable


@transaction.atomic
def deliverable_version_upload(
    *,
    actor: Actor,
    deliverable: Deliverable,
    file: UploadedFile,
    notes: str = "",
    released_on: date | None = None,
    fixes: Iterable[CorrectionRequest] = (),
) -> DeliverableVersion:
    """The provider uploads the next version while developing; ``fixes`` names the corrections it answers."""
    locked = _lock_project(deliverable.project)
    require_party(actor, locked, PROVIDER)
    deliverable = Deliverable.objects.get(pk=deliverable.pk)
    require_active(deliverable, _("deliverable"))
    if locked.status != S.IN_DEVELOPMENT:
        raise ConflictError(_("Versions are uploaded while the project is in development."))
    try:
        validate_deliverable_file(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid_file", fields={"file": exc.messages}) from exc
    latest = deliverable.versions.aggregate(n=Max("number"))["n"] or 0
    version = DeliverableVersion(
        deliverable=deliverable, number=latest + 1, notes=notes, uploaded_by=actor.user, file=file
    )
    if released_on:
        version.released_on = released_on
    version.save()
    for correction in fixes:
        if correction.project_id != locked.pk:
            raise DomainError(_("A correction of another project cannot be fixed by this version."))
        CorrectionRequest.objects.filter(pk=correction.pk, status=CorrectionStatus.ANSWERED).update(
            fixed_in=version, updated_at=timezone.now()
        )
    notify(
        recipients=organization_users([locked.alliance.lead_library_id]),
        event="alliance.deliverable.version",
        title=notice(
            gettext_lazy("%(deliverable)s v%(number)d uploaded"),
            {"deliverable": deliverable.title, "number": version.number},
        ),
        body=notes,
        url=url_or_blank("alliance:project-detail", locked.pk),
        actor=actor.user,
        data={"project": locked.pk, "version": version.pk},
    )
    return version


# --- trials -------------------------------------------------------------------------------------------------


def _check_readers(project: Project, readers: Iterable[ReaderProfile]) -> list[ReaderProfile]:
    """Only readers who agreed to take part in trials, of a library of the alliance, may be invited."""
    libraries = set(
        AllianceMember.objects.active()
        .filter(alliance_id=project.alliance_id, role=AllianceRole.DEMAND)
        .values_list("organization_id", flat=True)
    )
    chosen = list(readers)
    for reader in chosen:
        if not reader.consent_trials:
            raise DomainError(
                _("%(reader)s has not agreed to take part in trials.") % {"reader": reader.card_number_masked}
            )
        if reader.home_library_id not in libraries:
            raise DomainError(_("%(reader)s is not a reader of a library of this alliance.") % {"reader": reader.card_number_masked})  # fmt: skip
    return chosen


@transaction.atomic
def trial_plan(
    *,
    actor: Actor,
    project: Project,
    version: DeliverableVersion,
    starts_on: date,
    ends_on: date,
    min_satisfaction: Decimal | float | int = Decimal("4.00"),
    max_open_deviations: int = 0,
    readers: Iterable[ReaderProfile] = (),
) -> Trial:
    """Library staff plan a reader trial of a delivered version, with criteria and invited readers."""
    locked = _lock_project(project)
    require_party(actor, locked, LEAD)
    if locked.status != S.DELIVERED:
        raise ConflictError(_("A trial is planned once the provider has delivered."))
    if version.deliverable.project_id != locked.pk:
        raise DomainError(_("The version belongs to another project."))
    if Trial.objects.active().filter(project=locked, status__in=(TrialStatus.PLANNED, TrialStatus.RUNNING)).exists():
        raise ConflictError(_("The project already has a planned or running trial."))
    trial = Trial(
        project=locked,
        version=version,
        starts_on=starts_on,
        ends_on=ends_on,
        min_satisfaction=Decimal(str(min_satisfaction)),
        max_open_deviations=max_open_deviations,
    )
    full_clean(trial, exclude=["readers"])
    if trial.ends_on < trial.starts_on:
        raise DomainError(_("The trial ends before it starts."), fields={"ends_on": [_("Before the start.")]})
    if not (1 <= trial.min_satisfaction <= 5):
        raise DomainError(_("Minimum satisfaction is between 1 and 5."), fields={"min_satisfaction": [_("1–5")]})
    trial.save()
    _invite(locked, trial, _check_readers(locked, readers), actor)
    return trial


def _invite(project: Project, trial: Trial, readers: list[ReaderProfile], actor: Actor) -> int:
    existing = set(trial.invitations.values_list("reader_id", flat=True))
    new = [r for r in readers if r.pk not in existing]
    TrialInvitation.objects.bulk_create([TrialInvitation(trial=trial, reader=r) for r in new])
    if new:
        notify(
            recipients=[r.user for r in new],
            event="alliance.trial.invited",
            title=notice(gettext_lazy("You are invited to try %(project)s"), {"project": project.title}),
            body=notice(gettext_lazy("From %(start)s to %(end)s."), {"start": trial.starts_on, "end": trial.ends_on}),
            url=url_or_blank("alliance:trial-detail", trial.pk),
            actor=actor.user,
            data={"trial": trial.pk},
        )
    return len(new)


@transaction.atomic
def trial_invite_readers(*, actor: Actor, trial: Trial, readers: Iterable[ReaderProfile]) -> int:
    """Invite more readers to a planned or running trial; returns how many were newly invited."""
    locked = _lock_project(trial.project)
    require_party(actor, locked, LEAD)
    trial = Trial.objects.select_for_update(of=("self",)).get(pk=trial.pk)
    if trial.status == TrialStatus.CLOSED or trial.is_archived:
        raise ConflictError(_("The trial is closed."))
    return _invite(locked, trial, _check_readers(locked, readers), actor)


@transaction.atomic
def trial_respond(*, actor: Actor, trial: Trial, satisfaction: int, comment: str = "") -> TrialResponse:
    """An invited reader gives their verdict on a running trial, once."""
    reader = actor.reader_profile
    if reader is None or not TrialInvitation.objects.filter(trial=trial, reader=reader).exists():
        raise NotAllowed(_("Only readers invited to this trial may respond."))
    locked = Trial.objects.select_for_update(of=("self",)).get(pk=trial.pk)
    if locked.status != TrialStatus.RUNNING:
        raise ConflictError(_("The trial is not running."))
    if not (1 <= int(satisfaction) <= 5):
        raise DomainError(_("Satisfaction is from 1 to 5."), fields={"satisfaction": [_("1–5")]})
    if TrialResponse.objects.filter(trial=locked, reader=reader).exists():
        raise ConflictError(_("You have already responded to this trial."))
    try:
        with transaction.atomic():
            return TrialResponse.objects.create(
                trial=locked, reader=reader, satisfaction=int(satisfaction), comment=comment
            )
    except IntegrityError as exc:  # a double submit racing the check above
        raise ConflictError(_("You have already responded to this trial.")) from exc


# --- corrections ------------------------------------------------------------------------------------------


@transaction.atomic
def correction_raise(
    *,
    actor: Actor,
    project: Project,
    title: str,
    severity: str,
    due_on: date,
    description: str = "",
    trial: Trial | None = None,
    feedback_reference: str = "",
) -> CorrectionRequest:
    """Library staff send a deviation to the provider: from a trial, or (no trial) from reader feedback."""
    locked = _lock_project(project)
    require_party(actor, locked, LEAD)
    require_live(locked)
    if locked.status not in (S.IN_DEVELOPMENT, S.DELIVERED, S.IN_TRIAL, S.CORRECTING, S.SUSPENDED):
        raise ConflictError(_("Deviations are sent once the provider is developing."))
    if severity not in Severity.values:
        raise DomainError(_("Unknown severity."), fields={"severity": [_("Unknown severity.")]})
    if trial is not None and trial.project_id != locked.pk:
        raise DomainError(_("The trial belongs to another project."))
    if not _provider_ids(locked):
        raise ConflictError(_("The project has no provider to send the deviation to."))
    correction = CorrectionRequest(
        project=locked,
        trial=trial,
        source=CorrectionSource.TRIAL if trial is not None else CorrectionSource.READER_FEEDBACK,
        feedback_reference=feedback_reference,
        title=title.strip(),
        description=description,
        severity=severity,
        due_on=due_on,
        raised_by=actor.user,
        next_reminder_at=morning_of(due_on + timedelta(days=1)),
    )
    full_clean(correction)
    correction.save()
    notify(
        recipients=organization_users(_provider_ids(locked)),
        event="alliance.correction.raised",
        title=notice(
            gettext_lazy("Correction requested (%(severity)s): %(title)s"),
            {"severity": Severity(severity).label, "title": correction.title},
        ),
        body=notice(gettext_lazy("Due on %(date)s."), {"date": due_on}),
        url=url_or_blank("alliance:correction-detail", correction.pk),
        actor=actor.user,
        data={"project": locked.pk, "correction": correction.pk, "severity": severity},
    )
    return correction


@transaction.atomic
def correction_answer(
    *, actor: Actor, correction: CorrectionRequest, answer: str, fixed_in: DeliverableVersion | None = None
) -> CorrectionRequest:
    """The provider says how it corrected the deviation (and, if already shipped, in which version)."""
    locked = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("project__alliance")
        .get(pk=correction.pk)
    )
    require_party(actor, locked.project, PROVIDER)
    require_active(locked, _("correction request"))
    if locked.status != CorrectionStatus.OPEN:
        raise ConflictError(_("Only an open correction request can be answered."))
    if not answer.strip():
        raise DomainError(_("Say how the deviation was corrected."), fields={"answer": [_("This field is required.")]})
    if fixed_in is not None and fixed_in.deliverable.project_id != locked.project_id:
        raise DomainError(_("The version belongs to another project."))
    locked.answer = answer.strip()
    locked.answered_at = timezone.now()
    locked.answered_by = actor.user
    locked.fixed_in = fixed_in
    locked.status = CorrectionStatus.ANSWERED
    locked.next_reminder_at = None
    locked.save(
        update_fields=["answer", "answered_at", "answered_by", "fixed_in", "status", "next_reminder_at", "updated_at"]
    )
    notify(
        recipients=organization_users([locked.project.alliance.lead_library_id]),
        event="alliance.correction.answered",
        title=notice(gettext_lazy("The provider answered: %(title)s"), {"title": locked.title}),
        body=locked.answer,
        url=url_or_blank("alliance:correction-detail", locked.pk),
        actor=actor.user,
        data={"correction": locked.pk},
    )
    hooks.emit(hooks.CORRECTION_ANSWERED, locked, actor=actor)
    return locked


@transaction.atomic
def correction_verify(
    *, actor: Actor, correction: CorrectionRequest, trial: Trial, note: str = ""
) -> CorrectionRequest:
    """Library staff confirm in a later, running trial that the deviation is gone; the request closes."""
    locked = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("project__alliance")
        .get(pk=correction.pk)
    )
    require_party(actor, locked.project, LEAD)
    if locked.status != CorrectionStatus.ANSWERED:
        raise ConflictError(_("Only a correction the provider has answered can be verified."))
    trial = Trial.objects.get(pk=trial.pk)  # the caller's copy may predate the trial's start
    if trial.project_id != locked.project_id or trial.status != TrialStatus.RUNNING:
        raise ConflictError(_("A correction is verified in a running trial of its project."))
    if locked.trial_id is not None and (locked.trial_id == trial.pk or trial.created_at <= locked.trial.created_at):  # type: ignore[union-attr]
        raise ConflictError(_("A correction is verified in a later trial than the one that found it."))
    now = timezone.now()
    locked.status = CorrectionStatus.CLOSED
    locked.verified_in = trial
    locked.closed_at = now
    locked.closed_by = actor.user
    if note:
        locked.answer = f"{locked.answer}\n{note}".strip()
    locked.save(update_fields=["status", "verified_in", "closed_at", "closed_by", "answer", "updated_at"])
    notify(
        recipients=organization_users(_provider_ids(locked.project)),
        event="alliance.correction.verified",
        title=notice(gettext_lazy("Correction verified: %(title)s"), {"title": locked.title}),
        actor=actor.user,
        data={"correction": locked.pk},
    )
    hooks.emit(hooks.CORRECTION_CLOSED, locked, actor=actor)
    return locked


# --- sign-off -----------------------------------------------------------------------------------------------


@transaction.atomic
def signoff_give(*, actor: Actor, project: Project, note: str = "") -> Signoff:
    """The lead library's managers, or a government funder of the project, sign the running trial's outcome."""
    locked = _lock_project(project)
    if locked.status != S.IN_TRIAL:
        raise ConflictError(_("Sign-off is given on a project in its reader trial."))
    trial = Trial.objects.active().filter(project=locked, status=TrialStatus.RUNNING).first()
    if trial is None:
        raise ConflictError(_("No running trial to sign off."))
    org = actor.organization
    if org is None:
        raise NotAllowed(_("Act for an organisation to sign off."))
    if org.pk == locked.alliance.lead_library_id and actor.manages(org.pk):
        role = SignoffRole.LIBRARY
    elif (
        org.kind == OrganizationKind.GOVERNMENT
        and actor.manages(org.pk)
        and ProjectParticipant.objects.active()
        .filter(project=locked, organization=org, role=ParticipantRole.FUNDER)
        .exists()
    ):
        role = SignoffRole.GOVERNMENT
    else:
        raise NotAllowed(_("Only managers of the lead library or of a government funder of the project sign off."))
    try:
        with transaction.atomic():
            signoff = Signoff.objects.create(
                project=locked, trial=trial, organization=org, role=role, signed_by=actor.user, note=note
            )
    except IntegrityError as exc:
        raise ConflictError(_("%(org)s has already signed off this trial.") % {"org": org.name_zh}) from exc
    return signoff


@transaction.atomic
def deliverable_archive(*, actor: Actor, deliverable: Deliverable) -> Deliverable:
    """Set aside a deliverable the project no longer needs; its versions and trials stay in the record."""
    locked = (
        Deliverable.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=deliverable.pk)
    )
    require_party(actor, locked.project, LEAD)
    require_active(locked, _("deliverable"))
    if (
        Trial.objects.active()
        .filter(version__deliverable=locked, status__in=(TrialStatus.PLANNED, TrialStatus.RUNNING))
        .exists()
    ):
        raise ConflictError(_("A deliverable in a planned or running trial cannot be archived."))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked
