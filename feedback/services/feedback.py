"""Readers give feedback; staff triage, route, answer and resolve it; the reader confirms or reopens it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance import services as alliance_services
from alliance.choices import EvidenceKind, ParticipantRole
from alliance.models import AllianceMember, Deliverable, Need, Project, ProjectParticipant, Trial
from alliance.parties import url_or_blank
from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization
from stakeholders.validators import validate_document

from ..choices import Channel, FeedbackKind, FeedbackStatus, Theme
from ..models import Feedback, FeedbackPolicy, FeedbackSupport, FeedbackTransition, ServiceLevel
from ..states import PROVIDER, READER, SETTLED, STAFF, TRANSITIONS
from ._common import clean_rating, clean_text, full_clean, require_staff

S = FeedbackStatus
MAX_TAGS = 10
_LOADED = ["library", "reader", "submitted_by", "project", "deliverable", "trial"]


def _lock(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update(of=("self",)).select_related("reader__user").get(pk=feedback.pk)


def _detail_url(feedback: Feedback) -> str:
    return url_or_blank("feedback:detail", feedback.pk)


def _sla_due(feedback: Feedback, now: datetime) -> datetime | None:
    if feedback.status in SETTLED:
        return None
    level = ServiceLevel.objects.filter(library_id=feedback.library_id, status=feedback.status).first()
    return now + timedelta(hours=level.max_hours) if level else None


def _start_clock(feedback: Feedback, now: datetime) -> None:
    """A new state starts a new service-level clock: breaches of the previous state no longer apply."""
    feedback.state_entered_at = now
    feedback.sla_due_at = _sla_due(feedback, now)
    feedback.sla_level = 0
    feedback.sla_breached_at = None


# --- submitting -------------------------------------------------------------------------------------------


def _concerns(
    library: Organization, deliverable: Deliverable | None, trial: Trial | None
) -> tuple[Project | None, Deliverable | None, Trial | None]:
    """The project the feedback is about, checked to be one of the library's alliances."""
    if trial is not None and deliverable is not None and trial.version.deliverable_id != deliverable.pk:
        raise DomainError(_("The trial tests another deliverable."), fields={"trial": [_("Another deliverable.")]})
    project = trial.project if trial is not None else deliverable.project if deliverable is not None else None
    if project is None:
        return None, deliverable, trial
    in_alliance = AllianceMember.objects.active().filter(alliance_id=project.alliance_id, organization=library)
    if not in_alliance.exists():
        raise DomainError(
            _("This deliverable belongs to another library's alliance."), fields={"deliverable": [_("Not here.")]}
        )
    if deliverable is None and trial is not None:
        deliverable = trial.version.deliverable
    return project, deliverable, trial


def _check_attachment(attachment: UploadedFile | None) -> None:
    if attachment is None:
        return
    try:
        validate_document(attachment)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid_file", fields={"attachment": exc.messages}) from exc


def anonymous_allowed(library: Organization) -> bool:
    return FeedbackPolicy.objects.filter(library=library, allow_anonymous=True).exists()


@transaction.atomic
def feedback_submit(
    *,
    actor: Actor,
    kind: str,
    text: str,
    library: Organization | None = None,
    rating: int | None = None,
    attachment: UploadedFile | None = None,
    consent_contact: bool = False,
    is_public: bool = False,
    subject: str = "",
    deliverable: Deliverable | None = None,
    trial: Trial | None = None,
    channel: str | None = None,
) -> Feedback:
    """A reader (or a kiosk, mini-program or library system for the library) gives feedback.

    Signed-in readers give it as themselves; staff and integration accounts record it for their library
    without a reader; anonymous visitors only where the library's policy allows it.
    """
    if kind not in FeedbackKind.values:
        raise DomainError(_("Unknown kind of feedback."), fields={"kind": [_("Unknown kind.")]})
    text = clean_text(text, "text")
    rating = clean_rating(rating)
    _check_attachment(attachment)
    reader = None
    if library is not None and actor.writes_for(library.pk):
        channel = channel or (Channel.LIBRARY_SYSTEM if getattr(actor.user, "is_integration", False) else Channel.STAFF)
        if channel == Channel.WEB:
            channel = Channel.STAFF
    elif actor.reader_profile is not None:
        reader = actor.reader_profile
        library = library or reader.home_library
        channel = channel if channel in (Channel.WEB, Channel.MINI_PROGRAM) else Channel.WEB
    elif not actor.is_authenticated:
        if library is None:
            raise DomainError(_("Say which library the feedback is for."), fields={"library": [_("Required.")]})
        if not anonymous_allowed(library):
            raise NotAllowed(_("This library accepts feedback only from signed-in readers."))
        channel = channel if channel in (Channel.WEB, Channel.KIOSK, Channel.MINI_PROGRAM) else Channel.WEB
    else:
        raise NotAllowed(_("Feedback comes from readers or the library's own systems."))
    assert library is not None  # every branch above names the library or refuses
    if library.kind != OrganizationKind.LIBRARY or library.is_archived:
        raise DomainError(_("Feedback goes to an active library."), fields={"library": [_("Not a library.")]})
    if is_public and kind != FeedbackKind.NEED:
        raise DomainError(_("Only needs and suggestions can be made public."), fields={"is_public": [_("Needs only.")]})
    project, deliverable, trial = _concerns(library, deliverable, trial)
    now = timezone.now()
    feedback = Feedback(
        library=library,
        reader=reader,
        submitted_by=actor.user if actor.is_authenticated else None,
        channel=channel,
        kind=kind,
        text=text,
        rating=rating,
        consent_contact=bool(consent_contact and reader is not None),
        is_public=is_public,
        subject=subject.strip(),
        project=project,
        deliverable=deliverable,
        trial=trial,
        created_at=now,
    )
    if attachment is not None:
        feedback.attachment = attachment  # type: ignore[assignment]
    _start_clock(feedback, now)
    # Field checks only: every check constraint was checked above (kind, text, rating) or holds by construction
    # (status, no duplicate, not hidden), and the related rows were loaded, so re-asking the database for them
    # (one savepoint and query per constraint, one query per foreign key) would triple the cost of intake.
    full_clean(feedback, exclude=["attachment", *_LOADED], validate_constraints=False)
    feedback.save()
    FeedbackTransition.objects.create(
        feedback=feedback, name="submit", from_status="", to_status=S.NEW, actor=feedback.submitted_by, at=now
    )
    return feedback


# --- moving through the states ------------------------------------------------------------------------------


_READER_MESSAGES = {
    S.TRIAGED: gettext_lazy("The library has looked at your feedback."),
    S.ROUTED: gettext_lazy("Your feedback was passed to the provider concerned."),
    S.ANSWERED: gettext_lazy("The library answered your feedback."),
    S.RESOLVED: gettext_lazy("The library considers your feedback resolved. Is it solved for you?"),
}
# Moves whose notice says more than the state they reach.
_MOVE_MESSAGES = {
    "provider_answer": gettext_lazy("The provider concerned answered your feedback."),
}


def _move(locked: Feedback, *, actor: Actor, name: str, note: str = "") -> Feedback:
    """Check the table, the actor and the guards on a locked row; write the state, the record, the notice."""
    move = TRANSITIONS.get(name)
    if move is None:
        raise DomainError(_("Unknown transition."), fields={"name": [_("Unknown transition.")]})
    if move.by == STAFF:
        require_staff(actor, locked.library_id)
    elif move.by == READER and (locked.reader_id is None or actor.reader_profile is None or actor.reader_profile.pk != locked.reader_id):  # fmt: skip
        raise NotAllowed(_("Only the reader who gave the feedback may do this."))
    elif move.by == PROVIDER and not (actor.is_superuser or locked.routed_to_id in actor.organization_ids):
        raise NotAllowed(_("Only the provider the feedback was routed to may do this."))
    if locked.status not in move.sources:
        raise ConflictError(
            _("Cannot %(move)s feedback that is %(status)s.")
            % {"move": str(move.label).lower(), "status": locked.get_status_display()}
        )
    failures = [message for guard in move.guards if (message := guard(locked))]
    if failures:
        raise ConflictError(" ".join(failures))
    now = timezone.now()
    source = locked.status
    locked.status = move.target
    _start_clock(locked, now)
    if move.target == S.RESOLVED:
        locked.resolved_at = now
    if move.target == S.CONFIRMED:
        locked.confirmed_at = now
    if move.target == S.REOPENED:
        locked.reopen_count += 1
        locked.resolved_at = None
    locked.save()
    FeedbackTransition.objects.create(
        feedback=locked, name=name, from_status=source, to_status=move.target, actor=actor.user, at=now, note=note
    )
    told = _MOVE_MESSAGES.get(name) or _READER_MESSAGES.get(S(move.target))
    if told and locked.reader is not None:
        answer = locked.provider_answer if name == "provider_answer" else locked.answer or locked.provider_answer
        notify(
            recipients=[locked.reader.user],
            event=f"feedback.{name}",
            title=told,  # type: ignore[arg-type]  # lazy: rendered in the reader's language
            body=answer if move.target in (S.ANSWERED, S.RESOLVED) else "",
            url=_detail_url(locked),
            actor=actor.user,
            data={"feedback": locked.pk, "status": move.target},
        )
    if move.target == S.REOPENED:
        staff = [u for u in (locked.assignee, locked.answered_by) if u is not None]
        notify(
            recipients=staff,
            event="feedback.reopen",
            title=_("A reader says feedback #%(id)s is not solved") % {"id": locked.pk},
            body=note,
            url=_detail_url(locked),
            actor=actor.user,
            data={"feedback": locked.pk},
        )
    return locked


@transaction.atomic
def feedback_transition(*, actor: Actor, feedback: Feedback, name: str, note: str = "") -> Feedback:
    """Make one move of the table (``states.TRANSITIONS``) that needs nothing but a note."""
    return _move(_lock(feedback), actor=actor, name=name, note=note)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = sorted({t.strip()[:40] for t in tags if t and t.strip()})
    if len(cleaned) > MAX_TAGS:
        raise DomainError(_("At most %(n)d tags.") % {"n": MAX_TAGS}, fields={"tags": [_("Too many tags.")]})
    return cleaned


def _check_assignee(library_id: int, assignee: Any) -> None:
    writers = get_user_model().objects.filter(
        pk=assignee.pk, memberships__organization_id=library_id, memberships__archived_at__isnull=True, is_active=True
    )
    if not writers.exists():
        raise DomainError(_("The responsible person must work for the library."), fields={"assignee": [_("Not staff.")]})  # fmt: skip


def _categorise(locked: Feedback, theme: str | None, tags: Iterable[str] | None, add_tags: Iterable[str]) -> None:
    if theme is not None:
        if theme and theme not in Theme.values:
            raise DomainError(_("Unknown theme."), fields={"theme": [_("Unknown theme.")]})
        locked.theme = theme
    if tags is not None:
        locked.tags = _clean_tags(tags)
    if add_tags:
        locked.tags = _clean_tags([*locked.tags, *add_tags])


@transaction.atomic
def feedback_triage(
    *,
    actor: Actor,
    feedback: Feedback,
    theme: str | None = None,
    tags: Iterable[str] | None = None,
    assignee: Any = None,
    note: str = "",
) -> Feedback:
    """Staff categorise the feedback and name who is responsible; new or reopened feedback becomes triaged."""
    locked = _lock(feedback)
    require_staff(actor, locked.library_id)
    _categorise(locked, theme, tags, ())
    if assignee is not None:
        _check_assignee(locked.library_id, assignee)
        locked.assignee = assignee
    locked.save()
    if locked.status in TRANSITIONS["triage"].sources:
        _move(locked, actor=actor, name="triage", note=note)
    return locked


def _lock_many(actor: Actor, feedback: Sequence[Feedback]) -> list[Feedback]:
    """Lock the rows in id order (no deadlock between two bulk actions); all of one library the actor serves."""
    ids = sorted({f.pk for f in feedback})
    if not ids:
        raise DomainError(_("Choose some feedback."), fields={"feedback": [_("Required.")]})
    rows = list(
        Feedback.objects.select_for_update(of=("self",))
        .select_related("reader__user")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    libraries = {row.library_id for row in rows}
    if len(libraries) != 1:
        raise DomainError(_("Bulk actions work on feedback of one library."))
    require_staff(actor, libraries.pop())
    return rows


@transaction.atomic
def feedback_categorise(
    *, actor: Actor, feedback: Sequence[Feedback], theme: str | None = None, add_tags: Iterable[str] = ()
) -> int:
    """Bulk: set a theme and add tags to many; those still new become triaged."""
    rows = _lock_many(actor, feedback)
    add = list(add_tags)
    for row in rows:
        _categorise(row, theme, None, add)
        row.save()
        if row.status == S.NEW:
            _move(row, actor=actor, name="triage")
    return len(rows)


@transaction.atomic
def feedback_answer(*, actor: Actor, feedback: Feedback, answer: str) -> Feedback:
    """The library's answer to the reader; the first one starts "time to first answer"."""
    locked = _lock(feedback)
    require_staff(actor, locked.library_id)
    locked.answer = clean_text(answer, "answer")
    locked.answered_by = actor.user
    locked.first_answered_at = locked.first_answered_at or timezone.now()
    return _move(locked, actor=actor, name="answer")


@transaction.atomic
def feedback_resolve(*, actor: Actor, feedback: Feedback, answer: str = "", note: str = "") -> Feedback:
    """Staff consider it done (with the answer given now or before); the reader is asked to confirm."""
    locked = _lock(feedback)
    require_staff(actor, locked.library_id)
    if answer.strip():
        locked.answer = answer
        locked.answered_by = actor.user
        locked.first_answered_at = locked.first_answered_at or timezone.now()
    return _move(locked, actor=actor, name="resolve", note=note)


@transaction.atomic
def feedback_confirm(*, actor: Actor, feedback: Feedback) -> Feedback:
    """The reader's one click: solved."""
    return _move(_lock(feedback), actor=actor, name="confirm")


@transaction.atomic
def feedback_reopen(*, actor: Actor, feedback: Feedback, reason: str = "") -> Feedback:
    """The reader's one click: not solved. The feedback goes back to the library's queue."""
    return _move(_lock(feedback), actor=actor, name="reopen", note=reason)


# --- readers backing each other -------------------------------------------------------------------------------


@transaction.atomic
def feedback_support(*, actor: Actor, feedback: Feedback) -> FeedbackSupport:
    """A reader backs another reader's public need of their home library, once."""
    reader = actor.reader_profile
    if reader is None:
        raise NotAllowed(_("Only readers support needs."))
    locked = _lock(feedback)
    if not locked.is_public or locked.kind != FeedbackKind.NEED or locked.is_hidden or locked.is_archived:
        raise ConflictError(_("Only public needs can be supported."))
    if locked.reader_id == reader.pk:
        raise ConflictError(_("You cannot support your own need."))
    try:
        with transaction.atomic():
            return FeedbackSupport.objects.create(feedback=locked, reader=reader)
    except IntegrityError as exc:
        raise ConflictError(_("You already support this need.")) from exc


# --- moderation -----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_hide(*, actor: Actor, feedback: Feedback, reason: str) -> Feedback:
    """Staff hide abusive content. The text stays stored (and in history) with who hid it and why."""
    locked = _lock(feedback)
    require_staff(actor, locked.library_id)
    if locked.is_hidden:
        raise ConflictError(_("This feedback is already hidden."))
    locked.hidden_reason = clean_text(reason, "reason")[:300]
    locked.hidden_at = timezone.now()
    locked.hidden_by = actor.user
    locked.is_public = False
    locked.save()
    return locked


# --- duplicates ------------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_merge(*, actor: Actor, primary: Feedback, duplicates: Sequence[Feedback]) -> Feedback:
    """Duplicates point at the primary and are resolved with a note; their supports move to the primary."""
    if any(d.pk == primary.pk for d in duplicates):
        raise DomainError(_("Feedback cannot duplicate itself."), fields={"duplicates": [_("Contains the primary.")]})
    rows = _lock_many(actor, [primary, *duplicates])
    by_id = {row.pk: row for row in rows}
    main = by_id[primary.pk]
    if main.duplicate_of_id is not None:
        raise ConflictError(_("#%(id)s is itself a duplicate; merge into #%(of)s instead.") % {"id": main.pk, "of": main.duplicate_of_id})  # fmt: skip
    supporters = set(main.supports.values_list("reader_id", flat=True))
    for dup in (row for row in rows if row.pk != main.pk):
        dup.duplicate_of = main
        if not dup.answer.strip():
            dup.answer = _("This was raised before as #%(id)s; we follow it up there.") % {"id": main.pk}
            dup.answered_by = actor.user
        for support in dup.supports.all():
            if support.reader_id not in supporters and support.reader_id != main.reader_id:
                FeedbackSupport.objects.create(feedback=main, reader_id=support.reader_id)
                supporters.add(support.reader_id)
        # The duplicate's own reader backs the primary too, so the "me too" count keeps them.
        if dup.reader_id and dup.reader_id not in supporters and dup.reader_id != main.reader_id and main.is_public:
            FeedbackSupport.objects.create(feedback=main, reader_id=dup.reader_id)
            supporters.add(dup.reader_id)
        _move(dup, actor=actor, name="merge", note=f"#{main.pk}")
    return main


# --- into the alliance cycle -------------------------------------------------------------------------------------


def _refuse_any(wrong: list[Feedback], message: str) -> None:
    """Bulk actions are all-or-nothing: name every feedback in the wrong state, with its state, and write nothing."""
    if wrong:
        ids = ", ".join(f"#{row.pk} ({row.get_status_display()})" for row in wrong)
        raise ConflictError(message % {"ids": ids}, fields={"feedback": [str(row.pk) for row in wrong]})


def _reference(feedback: Feedback) -> str:
    return f"feedback:{feedback.pk}"


@transaction.atomic
def feedback_link_need(*, actor: Actor, feedback: Sequence[Feedback], need: Need) -> int:
    """Feedback becomes evidence for a library need (one NeedEvidence of kind reader_feedback each)."""
    rows = _lock_many(actor, feedback)
    if need.library_id != rows[0].library_id:
        raise DomainError(_("The need belongs to another library."), fields={"need": [_("Another library.")]})
    # Merged duplicates count through the feedback they were merged into; archived feedback is out of play.
    _refuse_any(
        [row for row in rows if row.duplicate_of_id or row.is_archived],
        _("%(ids)s cannot be linked: merged into other feedback or archived. Nothing was linked."),
    )
    linked = 0
    for row in rows:
        if row.need_id == need.pk:
            continue
        alliance_services.need_add_evidence(
            actor=actor,
            need=need,
            kind=EvidenceKind.READER_FEEDBACK,
            summary=f"{row.get_kind_display()}: {row.text[:500]}" if not row.is_hidden else row.get_kind_display(),
            reference_id=_reference(row),
            reference_url=_detail_url(row),
        )
        row.need = need
        row.save()
        if row.status == S.NEW:
            _move(row, actor=actor, name="triage", note=_("Linked to need: %(need)s") % {"need": need.title})
        linked += 1
    return linked


def _provider(project: Project) -> Organization:
    participant = (
        ProjectParticipant.objects.active()
        .filter(project=project, role=ParticipantRole.PROVIDER)
        .select_related("organization")
        .order_by("id")
        .first()
    )
    if participant is None:
        raise ConflictError(_("The project has no provider to send the feedback to."))
    return participant.organization


@transaction.atomic
def feedback_route(
    *,
    actor: Actor,
    feedback: Sequence[Feedback],
    project: Project,
    title: str,
    severity: str,
    due_on: date,
) -> Any:
    """Send feedback to the project's provider as one correction request, without saying who the readers are."""
    rows = _lock_many(actor, feedback)
    if project.alliance.lead_library_id != rows[0].library_id:
        raise DomainError(_("The project is led by another library."), fields={"project": [_("Another library.")]})
    _refuse_any(
        [row for row in rows if row.status not in TRANSITIONS["route"].sources],
        _("%(ids)s cannot be routed: only new, triaged or reopened feedback goes to a provider. Nothing was routed."),
    )
    provider = _provider(project)
    # Only the readers' words go to the partner: no names, cards or contact details.
    description = "\n\n".join(
        f"[{row.get_kind_display()}{f' · {row.rating}/5' if row.rating else ''}] {row.text}"
        for row in rows
        if not row.is_hidden
    )
    correction = alliance_services.correction_raise(
        actor=actor,
        project=project,
        title=clean_text(title, "title"),
        severity=severity,
        due_on=due_on,
        description=description,
        feedback_reference=_reference(rows[0]),
    )
    for row in rows:
        row.correction = correction
        row.routed_to = provider
        row.project = row.project or project
        _move(row, actor=actor, name="route", note=correction.title)
    # Webhooks and other listeners hear ids only: the readers stay unnamed outside the library.
    events.emit(
        events.FEEDBACK_ROUTED,
        obj=correction,
        organization_ids=[rows[0].library_id, provider.pk],
        data={"correction": correction.pk, "project": project.pk, "feedback": [row.pk for row in rows]},
    )
    return correction


# --- back from the provider -------------------------------------------------------------------------------------


@transaction.atomic
def feedback_provider_answered(correction: Any, *, actor: Actor) -> int:
    """The provider answered (or the library closed) a correction request: its feedback carries the answer.

    Plugged into ``alliance.hooks.CORRECTION_ANSWERED`` and ``CORRECTION_CLOSED`` from ``FeedbackConfig.ready``,
    so it runs inside the provider's own transaction. Feedback still "routed" moves to "answered" (recorded as
    a transition, the reader notified with the provider's words); feedback the library has already moved on
    only gets the newer text. Idempotent: called again with the same answer it changes nothing. Returns how
    many feedback moved to "answered".
    """
    text = (correction.answer or "").strip()
    if not text:
        return 0
    rows = list(
        Feedback.objects.select_for_update(of=("self",))
        .select_related("reader__user")
        .filter(correction_id=correction.pk)
        .order_by("pk")
    )
    moved = 0
    for row in rows:
        changed = row.provider_answer != text
        if not changed and row.status != S.ROUTED:
            continue
        row.provider_answer = text
        row.provider_answered_at = correction.answered_at or timezone.now()
        if row.status == S.ROUTED:
            row.first_answered_at = row.first_answered_at or row.provider_answered_at
            _move(row, actor=actor, name="provider_answer", note=correction.title)
            moved += 1
        else:
            row.save(update_fields=["provider_answer", "provider_answered_at", "updated_at"])
    return moved
