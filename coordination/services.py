"""Every write of alliance coordination: meetings and their agenda, minutes and action items; research plans.

Services take the acting person, check the rule, write in one transaction and notify through
``notifications.services.notify`` in that same transaction. The action-item sweeper is idempotent: it
claims due rows with ``SKIP LOCKED`` and records each reminder under a unique (item, level, due date) key.
"""

from __future__ import annotations

import calendar
import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Alliance, AllianceMember, IPAsset, Project
from alliance.parties import notice, organization_people, organization_users, url_or_blank
from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from core.sweepers import claim_due, create_once, insert_once
from notifications.services import Notice, notify, notify_many
from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES
from stakeholders.models import Membership, Organization

from . import access
from .choices import (
    REMIND_BEFORE,
    ActionStatus,
    AgendaTarget,
    MeetingKind,
    MeetingStatus,
    MeetingVisibility,
    OutputKind,
    PlanStatus,
    Recurrence,
    ReminderLevel,
)
from .models import (
    ActionItem,
    ActionReminder,
    AgendaItem,
    CalendarFeed,
    Decision,
    Meeting,
    MeetingAttendee,
    MeetingInvitation,
    MeetingSeries,
    PlanMilestone,
    PlanOutput,
    PlanParticipant,
    PlanSignature,
    ResearchPlan,
)

MEETING_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "timezone",
    "place",
    "online_url",
    "visibility",
)
# A change to one of these moves the meeting in people's calendars: invitees are told and SEQUENCE goes up.
AGENDA_FIELDS = {"title", "notes", "target_kind", "target_id"}
RESCHEDULING_FIELDS = {"starts_at", "ends_at", "timezone", "place", "online_url"}
PLAN_FIELDS = ("title", "objectives", "budget")
MAX_OCCURRENCES = 52


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        raise DomainError("; ".join(exc.messages), fields=fields) from exc


def _require_live(obj: Any, what: str) -> None:
    if getattr(obj, "archived_at", None) is not None:
        raise ConflictError(_("The %(what)s is archived.") % {"what": what})


def _alliance_organization_ids(alliance: Alliance) -> set[int]:
    ids = set(AllianceMember.objects.active().filter(alliance=alliance).values_list("organization_id", flat=True))
    ids.add(alliance.lead_library_id)
    return ids


def _managers(organization_ids: Iterable[int]) -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=list(organization_ids),
            memberships__archived_at__isnull=True,
            memberships__role__in=MANAGING_ROLES,
        ).distinct()
    )


def _member_of(user: Any, organization_id: int) -> bool:
    return Membership.objects.active().filter(user=user, organization_id=organization_id).exists()


def _meeting_url(meeting: Meeting) -> str:
    return url_or_blank("coordination:meeting-detail", meeting.pk)


def _plan_url(plan: ResearchPlan) -> str:
    return url_or_blank("coordination:plan-detail", plan.pk)


def _check_timezone(name: str) -> None:
    if name not in available_timezones():
        raise DomainError(_("Unknown time zone."), fields={"timezone": [_("Use a name like Asia/Shanghai.")]})


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError(_("A meeting must end after it starts."), fields={"ends_at": [_("Before the start.")]})


def _add_months(moment: datetime, months: int) -> datetime:
    """The same day of a later month (the month's last day when it is shorter), in the moment's own zone."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def occurrence_starts(starts_at: datetime, recurrence: str, count: int, zone: str) -> list[datetime]:
    """Start times of a series, stepping in the organiser's zone so 09:00 stays 09:00 across DST."""
    local = starts_at.astimezone(ZoneInfo(zone))
    out = []
    for n in range(count):
        step = local + timedelta(weeks=n) if recurrence == Recurrence.WEEKLY else _add_months(local, n)
        out.append(step.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone)))
    return out


# --- meetings -------------------------------------------------------------------------------------------------


def _require_organizer(actor: Actor, meeting: Meeting) -> None:
    if not actor.writes_for(meeting.organizer_id):
        raise NotAllowed(_("Only the organising organisation's staff may change this meeting."))


def _invitees(
    alliance: Alliance,
    organizer: Organization,
    organizations: list[Organization],
    people: list[Any],
    already: Iterable[int] = (),
) -> tuple[list[Organization], list[tuple[Any, int]]]:
    """Check the invited organisations are in the alliance and each person acts for one of them (or the organiser)."""
    allowed = _alliance_organization_ids(alliance)
    outside = [o for o in organizations if o.pk not in allowed]
    if outside:
        raise DomainError(
            _("Only organisations of the alliance may be invited: %(names)s.")
            % {"names": ", ".join(str(o) for o in outside)},
            fields={"organizations": [_("Not in the alliance.")]},
        )
    org_ids = {o.pk for o in organizations} | {organizer.pk} | set(already)
    memberships = {
        m.user_id: m.organization_id
        for m in Membership.objects.active().filter(user__in=people, organization_id__in=org_ids).order_by("-id")
    }
    missing = [p for p in people if p.pk not in memberships]
    if missing:
        raise DomainError(
            _("Invited people must act for an invited organisation: %(names)s.")
            % {"names": ", ".join(str(p) for p in missing)},
            fields={"people": [_("Not a member of an invited organisation.")]},
        )
    return organizations, [(p, memberships[p.pk]) for p in people]


def _invite(meeting: Meeting, organizations: list[Organization], people: list[tuple[Any, int]]) -> list[Any]:
    """Record the invitations and grants; return the people to tell (named ones and the organisations' staff)."""
    new_orgs = []
    for organization in organizations:
        if create_once(MeetingInvitation, meeting=meeting, organization=organization) is not None:
            new_orgs.append(organization)
    told: dict[int, Any] = {}
    for person, organization_id in people:
        attendee, created = MeetingAttendee.objects.get_or_create(
            meeting=meeting, user=person, defaults={"organization_id": organization_id, "invited": True}
        )
        if created or not attendee.invited:
            attendee.invited = True
            attendee.save(update_fields=["invited", "updated_at"])
            told[person.pk] = person
    access.grant_invited(meeting, organizations, [p for p, _org in people])
    for user in organization_users({o.pk for o in new_orgs}):
        told.setdefault(user.pk, user)
    return list(told.values())


def _emit_scheduled(meeting: Meeting) -> None:
    """Tell listeners (webhooks) a meeting is on: its organiser and invited organisations may see it; ids only."""
    invited = set(meeting.invitations.values_list("organization_id", flat=True))
    events.emit(
        events.MEETING_SCHEDULED,
        obj=meeting,
        organization_ids={meeting.organizer_id} | invited,
        data={
            "meeting": meeting.pk,
            "alliance": meeting.alliance_id,
            "project": meeting.project_id,
            "starts_at": meeting.starts_at.isoformat(),
        },
    )


def _tell_invited(meeting: Meeting, people: list[Any], actor: Actor) -> None:
    ics = url_or_blank("coordination:meeting-ics", meeting.pk)
    when = timezone.localtime(meeting.starts_at, ZoneInfo(meeting.timezone)).strftime("%Y-%m-%d %H:%M")
    notify(
        recipients=[p for p in people if p.pk != actor.user.pk],
        event="coordination.meeting.invited",
        title=notice(
            gettext_lazy("Invitation: %(meeting)s, %(when)s (%(zone)s)"),
            {"meeting": meeting.title, "when": when, "zone": meeting.timezone},
        ),
        body=notice(gettext_lazy("Add it to your calendar: %(ics)s"), {"ics": ics}),
        url=_meeting_url(meeting),
        actor=actor.user,
        data={"meeting": meeting.pk, "ics": ics},
    )


@transaction.atomic
def meeting_schedule(
    *,
    actor: Actor,
    alliance: Alliance,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone_name: str = "Asia/Shanghai",
    organizer: Organization | None = None,
    project: Project | None = None,
    description: str = "",
    place: str = "",
    online_url: str = "",
    visibility: str = MeetingVisibility.INVITED,
    organizations: list[Organization] | None = None,
    people: list[Any] | None = None,
    recurrence: str = "",
    occurrences: int = 1,
) -> Meeting:
    """An alliance organisation's staff schedule a meeting (or a weekly/monthly series); the invited are told."""
    organizer = organizer or actor.organization
    if organizer is None or not actor.writes_for(organizer.pk):
        raise NotAllowed(_("Act for an organisation of the alliance to schedule its meetings."))
    _require_live(alliance, "alliance")
    if organizer.pk not in _alliance_organization_ids(alliance):
        raise NotAllowed(_("Only organisations of the alliance may schedule its meetings."))
    if project is not None and project.alliance_id != alliance.pk:
        raise DomainError(_("The project belongs to another alliance."), fields={"project": [_("Wrong alliance.")]})
    if kind not in MeetingKind.values:
        raise DomainError(_("Unknown meeting kind."), fields={"kind": [_("Unknown.")]})
    if not (place or online_url):
        raise DomainError(_("Give a place or an online link."), fields={"place": [_("Where does it happen?")]})
    _check_timezone(timezone_name)
    _check_times(starts_at, ends_at)
    if recurrence and recurrence not in Recurrence.values:
        raise DomainError(_("Unknown recurrence."), fields={"recurrence": [_("Weekly or monthly.")]})
    if recurrence and not 2 <= occurrences <= MAX_OCCURRENCES:
        raise DomainError(
            _("A series has between 2 and %(max)d meetings.") % {"max": MAX_OCCURRENCES},
            fields={"occurrences": [_("Out of range.")]},
        )
    orgs, named = _invitees(alliance, organizer, list(organizations or []), list(people or []))
    series = None
    starts = [starts_at]
    if recurrence:
        series = MeetingSeries.objects.create(
            alliance=alliance, title=title, recurrence=recurrence, occurrences=occurrences, created_by=actor.user
        )
        starts = occurrence_starts(starts_at, recurrence, occurrences, timezone_name)
    length = ends_at - starts_at
    first: Meeting | None = None
    told: dict[int, Any] = {}
    for start in starts:
        meeting = Meeting(
            alliance=alliance, project=project, series=series, kind=kind, title=title, description=description,
            starts_at=start, ends_at=start + length, timezone=timezone_name, place=place, online_url=online_url,
            visibility=visibility, organizer=organizer, created_by=actor.user,
        )  # fmt: skip
        _full_clean(meeting)
        meeting.save()
        access.grant_organizer(meeting)
        for person in _invite(meeting, orgs, named):
            told.setdefault(person.pk, person)
        _emit_scheduled(meeting)
        first = first or meeting
    assert first is not None
    _tell_invited(first, list(told.values()), actor)
    return first


def _lock_meeting(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("alliance", "organizer").get(pk=meeting.pk)
    _require_live(locked, "meeting")
    return locked


def _attendee_users(meeting: Meeting) -> list[Any]:
    ids = set(meeting.attendees.values_list("user_id", flat=True))
    invited = set(meeting.invitations.values_list("organization_id", flat=True))
    return list(
        {u.pk: u for u in [*get_user_model().objects.filter(pk__in=ids), *organization_users(invited)]}.values()
    )


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, **changes: Any) -> Meeting:
    """The organiser changes the meeting; a new time or place bumps its SEQUENCE and tells the invited."""
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    if locked.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("The meeting is cancelled."))
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    moved = {k for k, v in changes.items() if getattr(locked, k) != v} & RESCHEDULING_FIELDS
    for key, value in changes.items():
        setattr(locked, key, value)
    _check_times(locked.starts_at, locked.ends_at)
    if not (locked.place or locked.online_url):
        raise DomainError(_("Give a place or an online link."), fields={"place": [_("Where does it happen?")]})
    if moved:
        locked.sequence += 1
    _full_clean(locked)
    locked.save()
    if moved:
        notify(
            recipients=[u for u in _attendee_users(locked) if u.pk != actor.user.pk],
            event="coordination.meeting.changed",
            title=notice(gettext_lazy("Meeting changed: %(meeting)s"), {"meeting": locked.title}),
            url=_meeting_url(locked),
            actor=actor.user,
            data={"meeting": locked.pk},
        )
    return locked


@transaction.atomic
def meeting_invite(
    *, actor: Actor, meeting: Meeting, organizations: list[Organization], people: list[Any] | None = None
) -> Meeting:
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    if locked.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("The meeting is cancelled."))
    if not organizations and not people:
        raise DomainError(_("Invite at least one organisation or person."), fields={"organizations": [_("Empty.")]})
    already = set(locked.invitations.values_list("organization_id", flat=True))
    orgs, named = _invitees(locked.alliance, locked.organizer, organizations, list(people or []), already)
    _tell_invited(locked, _invite(locked, orgs, named), actor)
    if any(o.pk not in already for o in orgs):
        _emit_scheduled(locked)  # newly invited organisations learn of it (their webhooks) like the first ones
    return locked


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting) -> Meeting:
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    if locked.status != MeetingStatus.SCHEDULED:
        raise ConflictError(_("Only a scheduled meeting can be cancelled."))
    locked.status = MeetingStatus.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["status", "sequence", "updated_at"])
    notify(
        recipients=[u for u in _attendee_users(locked) if u.pk != actor.user.pk],
        event="coordination.meeting.cancelled",
        title=notice(gettext_lazy("Meeting cancelled: %(meeting)s"), {"meeting": locked.title}),
        url=_meeting_url(locked),
        actor=actor.user,
        data={"meeting": locked.pk},
    )
    return locked


def _attending_organization(actor: Actor, meeting: Meeting) -> int:
    invited = set(meeting.invitations.values_list("organization_id", flat=True)) | {meeting.organizer_id}
    if actor.organization is not None and actor.organization.pk in invited:
        return int(actor.organization.pk)
    for organization_id in actor.organization_ids:
        if organization_id in invited:
            return organization_id
    if actor.organization is not None and meeting.visibility == MeetingVisibility.ALLIANCE:
        return int(actor.organization.pk)
    raise NotAllowed(_("Your organisation is not invited to this meeting."))


@transaction.atomic
def meeting_register(*, actor: Actor, meeting: Meeting) -> MeetingAttendee:
    """Someone who may see the meeting registers to attend it, for the organisation they act for."""
    locked = _lock_meeting(meeting)
    if locked.status != MeetingStatus.SCHEDULED or locked.ends_at <= timezone.now():
        raise ConflictError(_("Registration is open only until a scheduled meeting ends."))
    attendee = MeetingAttendee.objects.filter(meeting=locked, user=actor.user).first()
    if attendee is None:
        attendee = MeetingAttendee(
            meeting=locked, user=actor.user, organization_id=_attending_organization(actor, locked)
        )
    if attendee.registered_at is None:
        attendee.registered_at = timezone.now()
        attendee.save()
    return attendee


def _attending_memberships(meeting: Meeting, people: list[Any]) -> dict[int, int]:
    """Each person's invited organisation (the organiser's counts); anyone acting for none of them is refused."""
    invited = set(meeting.invitations.values_list("organization_id", flat=True)) | {meeting.organizer_id}
    memberships = {
        m.user_id: m.organization_id
        for m in Membership.objects.active().filter(user__in=people, organization_id__in=invited).order_by("-id")
    }
    missing = [p for p in people if p.pk not in memberships]
    if missing:
        raise DomainError(
            _("Attendees must act for an invited organisation: %(names)s.")
            % {"names": ", ".join(str(p) for p in missing)},
            fields={"people": [_("Not invited.")]},
        )
    return memberships


@transaction.atomic
def meeting_record_attendance(*, actor: Actor, meeting: Meeting, people: list[Any]) -> Meeting:
    """The organiser records who attended (registered or not); the rest stay as not attended."""
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    if locked.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("The meeting is cancelled."))
    memberships = _attending_memberships(locked, people)
    for person in people:
        attendee, _created = MeetingAttendee.objects.get_or_create(
            meeting=locked, user=person, defaults={"organization_id": memberships[person.pk]}
        )
        if not attendee.attended:
            attendee.attended = True
            attendee.save(update_fields=["attended", "updated_at"])
    return locked


@transaction.atomic
def meeting_attendance_sheet(*, actor: Actor, meeting: Meeting, entries: list[tuple[Any, bool, bool]]) -> Meeting:
    """The organiser records, person by person, who registered and who attended (ticks on and off).

    ``entries`` are (person, registered, attended). A registration the organiser records is dated now; one the
    person made keeps its date. Unticking clears it. People not listed are left as they are.
    """
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    if locked.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("The meeting is cancelled."))
    memberships = _attending_memberships(locked, [person for person, _r, _a in entries])
    existing = {a.user_id: a for a in MeetingAttendee.objects.filter(meeting=locked, user__in=memberships)}
    now = timezone.now()
    for person, registered, attended in entries:
        attendee = existing.get(person.pk)
        if attendee is None:
            if not (registered or attended):
                continue
            attendee = MeetingAttendee(meeting=locked, user=person, organization_id=memberships[person.pk])
        registered_at = (attendee.registered_at or now) if registered else None
        if attendee.pk is None or (attendee.registered_at, attendee.attended) != (registered_at, attended):
            attendee.registered_at = registered_at
            attendee.attended = attended
            attendee.save()
    return locked


@transaction.atomic
def agenda_item_add(
    *, actor: Actor, meeting: Meeting, title: str, notes: str = "", target_kind: str = "", target_id: int | None = None
) -> AgendaItem:
    """The organiser adds an agenda point, linked to a project, need, risk or feedback they can see."""
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    label = _agenda_target_label(actor, target_kind, target_id)
    last = locked.agenda_items.active().aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        meeting=locked, position=last + 1, title=title, notes=notes, target_kind=target_kind,
        target_id=target_id, target_label=label,
    )  # fmt: skip
    _full_clean(item)
    item.save()
    return item


def _agenda_target_label(actor: Actor, target_kind: str, target_id: int | None) -> str:
    """The title of the object an agenda item is about, checked to be one the actor sees ("" for none)."""
    from .selectors import agenda_targets_for

    if not target_kind and target_id is None:
        return ""
    if target_kind not in AgendaTarget.values or target_id is None:
        raise DomainError(_("Choose what the agenda item is about."), fields={"target_kind": [_("Unknown.")]})
    target = agenda_targets_for(actor, target_kind).filter(pk=target_id).first()
    if target is None:
        raise DomainError(_("You cannot link this object."), fields={"target_id": [_("Not found.")]})
    return str(getattr(target, "title", "") or target)[:200]


def _lock_agenda_item(actor: Actor, item: AgendaItem) -> AgendaItem:
    """The item locked with its meeting, for the organiser of a meeting that is neither cancelled nor archived."""
    meeting = _lock_meeting(item.meeting)
    _require_organizer(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("The meeting is cancelled."))
    locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if locked.archived_at is not None:
        raise ConflictError(_("This agenda item was already removed."))
    locked.meeting = meeting
    return locked


@transaction.atomic
def agenda_item_update(*, actor: Actor, item: AgendaItem, **changes: Any) -> AgendaItem:
    """The organiser rewords an agenda point or changes what it is about; the history keeps the earlier text."""
    locked = _lock_agenda_item(actor, item)
    unknown = set(changes) - AGENDA_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "target_kind" in changes or "target_id" in changes:
        kind = changes.get("target_kind", locked.target_kind) or ""
        target_id = changes.get("target_id", locked.target_id)
        locked.target_label = _agenda_target_label(actor, kind, target_id)
        changes = {**changes, "target_kind": kind, "target_id": target_id}
    changed = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if not changed and "target_kind" not in changes:
        return locked
    for key, value in changed.items():
        setattr(locked, key, value)
    _full_clean(locked)
    locked.save()
    return locked


@transaction.atomic
def agenda_item_remove(*, actor: Actor, item: AgendaItem) -> AgendaItem:
    """The organiser takes a point off the agenda: archived (kept in history), the rest keep their order."""
    locked = _lock_agenda_item(actor, item)
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


def _action_sweep_start(due_on: date) -> datetime:
    return _due_end(due_on) - REMIND_BEFORE


def _due_end(due_on: date) -> datetime:
    """An item is due by the end of its due day (server time zone); after that it is overdue."""
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time.min))


@transaction.atomic
def meeting_record_minutes(
    *,
    actor: Actor,
    meeting: Meeting,
    minutes: str,
    decisions: list[str] | None = None,
    action_items: list[dict[str, Any]] | None = None,
) -> Meeting:
    """The organiser records the minutes, decisions and action items; the owners are told of their items.

    ``action_items`` are dicts of title, owner (a user), owner_organization, due_on, and optionally description
    and decision (the 1-based position of a decision given here). Recording again replaces the minutes text
    and adds further decisions and items.
    """
    locked = _lock_meeting(meeting)
    _require_organizer(actor, locked)
    if locked.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("The meeting is cancelled."))
    if not minutes.strip():
        raise DomainError(_("The minutes are empty."), fields={"minutes": [_("Required.")]})
    invited = set(locked.invitations.values_list("organization_id", flat=True)) | {locked.organizer_id}
    texts = [d.strip() for d in (decisions or []) if d.strip()]
    start = locked.decisions.count()
    made = [Decision.objects.create(meeting=locked, position=start + n, text=t) for n, t in enumerate(texts, 1)]
    items = []
    for n, spec in enumerate(action_items or []):
        owner, organization = spec.get("owner"), spec.get("owner_organization")
        field = f"action_items[{n}]"
        if owner is None or organization is None or organization.pk not in invited:
            raise DomainError(
                _("An action item's owner must be of an invited organisation."), fields={field: [_("Owner.")]}
            )
        if not _member_of(owner, organization.pk):
            raise DomainError(_("The owner must act for the owning organisation."), fields={field: [_("Owner.")]})
        decision_no = spec.get("decision")
        decision = None
        if decision_no:
            if not 1 <= int(decision_no) <= len(made):
                raise DomainError(_("No such decision."), fields={field: [_("Decision.")]})
            decision = made[int(decision_no) - 1]
        due_on = spec.get("due_on")
        if not isinstance(due_on, date):
            raise DomainError(_("Give a due date."), fields={field: [_("Due date.")]})
        item = ActionItem(
            meeting=locked, decision=decision, title=spec.get("title", ""), description=spec.get("description", ""),
            owner=owner, owner_organization=organization, due_on=due_on, sweep_at=_action_sweep_start(due_on),
        )  # fmt: skip
        _full_clean(item, exclude=["sweep_at"])
        item.save()
        items.append(item)
    locked.minutes = minutes
    locked.minutes_recorded_at = timezone.now()
    locked.status = MeetingStatus.HELD
    locked.save(update_fields=["minutes", "minutes_recorded_at", "status", "updated_at"])
    for item in items:
        notify(
            recipients=[item.owner],
            event="coordination.action.assigned",
            title=notice(
                gettext_lazy("Action item for you: %(title)s (due %(due)s)"),
                {"title": item.title, "due": item.due_on.isoformat()},
            ),
            url=_meeting_url(locked),
            actor=actor.user,
            data={"meeting": locked.pk, "action_item": item.pk},
        )
    return locked


# --- action items -----------------------------------------------------------------------------------------------


def may_change_action(actor: Actor, item: ActionItem) -> bool:
    return (
        actor.is_superuser
        or item.owner_id == getattr(actor.user, "pk", None)
        or actor.writes_for(item.owner_organization_id)
        or actor.writes_for(item.meeting.organizer_id)
    )


@transaction.atomic
def action_item_update(
    *, actor: Actor, item: ActionItem, status: str | None = None, due_on: date | None = None
) -> ActionItem:
    """The owner, their organisation's staff or the organiser mark an item done or cancelled, or move its date."""
    locked = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    _require_live(locked, "action item")
    if not may_change_action(actor, locked):
        raise NotAllowed(_("Only the owner, their organisation or the organiser may change this action item."))
    if status is not None and status not in ActionStatus.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown.")]})
    if due_on is not None and locked.status == ActionStatus.OPEN and status in (None, ActionStatus.OPEN):
        locked.due_on = due_on
        locked.sweep_at = _action_sweep_start(due_on)
    if status is not None and status != locked.status:
        locked.status = status
        locked.done_at = timezone.now() if status == ActionStatus.DONE else None
        locked.sweep_at = _action_sweep_start(locked.due_on) if status == ActionStatus.OPEN else None
    locked.save()
    return locked


def action_items_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Claim open items whose sweep time has come (SKIP LOCKED); remind or escalate each once per due date.

    The owner is reminded once before the due day ends; once it has passed, the owner and the managers of
    their organisation and of the organiser are told it is overdue, and the sweeper stops. Set-based: the
    reminders are recorded with one INSERT .. ON CONFLICT DO NOTHING RETURNING and only the new ones are
    sent, with one ``notify_many()``, so the query count does not grow with the number of due items.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = claim_due(
            ActionItem.objects.filter(archived_at__isnull=True, status=ActionStatus.OPEN).select_related(
                "meeting", "owner"
            ),
            now=now,
            limit=limit,
            field="sweep_at",
        )
        if not rows:
            return 0
        levels = {r.pk: ReminderLevel.DUE if now < _due_end(r.due_on) else ReminderLevel.OVERDUE for r in rows}
        records = [{"action_item": r.pk, "level": levels[r.pk], "due_on": r.due_on, "sent_at": now} for r in rows]
        new = {pk for pk, _level in insert_once(ActionReminder, records, ["action_item", "level"])}
        for r in rows:
            r.sweep_at = _due_end(r.due_on) if levels[r.pk] == ReminderLevel.DUE else None
        ActionItem.objects.bulk_update(rows, ["sweep_at"])
        told = [r for r in rows if r.pk in new]
        overdue = [r for r in told if levels[r.pk] == ReminderLevel.OVERDUE]
        _everyone, managers = organization_people(
            {r.owner_organization_id for r in overdue} | {r.meeting.organizer_id for r in overdue}
        )
        notices = []
        for r in told:
            data = {"action_item": r.pk, "meeting": r.meeting_id, "due": r.due_on.isoformat()}
            if levels[r.pk] == ReminderLevel.DUE:
                title = notice(
                    gettext_lazy("Action item due %(due)s: %(title)s"), {"due": r.due_on.isoformat(), "title": r.title}
                )
                notices.append(
                    Notice([r.owner], "coordination.action.due", title, url=_meeting_url(r.meeting), data=data)
                )
            else:
                title = notice(
                    gettext_lazy("Overdue action item: %(title)s (owner %(owner)s, due %(due)s)"),
                    {"title": r.title, "owner": str(r.owner), "due": r.due_on.isoformat()},
                )
                recipients = [
                    r.owner,
                    *managers.get(r.owner_organization_id, []),
                    *managers.get(r.meeting.organizer_id, []),
                ]
                notices.append(
                    Notice(recipients, "coordination.action.overdue", title, url=_meeting_url(r.meeting), data=data)
                )
        notify_many(notices)
    return len(rows)


# --- calendar feed ------------------------------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_rotate(*, user: Any) -> str:
    """A new secret calendar address for the person (the old one stops working); the token is shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": feed_token_hash(token)})
    return token


def calendar_feed_user(token: str) -> Any | None:
    """The person a feed token belongs to, or None; records when the feed was last fetched."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=feed_token_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user


# --- research plans --------------------------------------------------------------------------------------------


def _require_plan_lead(actor: Actor, plan: ResearchPlan) -> None:
    if not actor.writes_for(plan.lead_organization_id):
        raise NotAllowed(_("Only the lead organisation's staff may change this research plan."))


def _lock_plan(plan: ResearchPlan) -> ResearchPlan:
    locked = ResearchPlan.objects.select_for_update().get(pk=plan.pk)
    _require_live(locked, "research plan")
    if locked.status == PlanStatus.CLOSED:
        raise ConflictError(_("The research plan is closed."))
    return locked


def _participant_users(plan: ResearchPlan) -> list[Any]:
    return _managers(set(plan.participants.values_list("organization_id", flat=True)))


def _reopen_for_signature(plan: ResearchPlan, actor: Actor) -> None:
    """A change to a plan someone signed makes a new version: every participant signs again."""
    signed = plan.signatures.filter(version=plan.version).exists()
    if not signed and plan.status != PlanStatus.ACTIVE:
        return
    plan.version += 1
    plan.status = PlanStatus.SIGNING
    plan.save(update_fields=["version", "status", "updated_at"])
    notify(
        recipients=[u for u in _participant_users(plan) if u.pk != actor.user.pk],
        event="coordination.plan.resign",
        title=notice(
            gettext_lazy("Research plan changed, please sign version %(version)d: %(plan)s"),
            {"version": plan.version, "plan": plan.title},
        ),
        url=_plan_url(plan),
        actor=actor.user,
        data={"plan": plan.pk, "version": plan.version},
    )


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    alliance: Alliance,
    title: str,
    objectives: str,
    budget: Decimal = Decimal(0),
    lead_organization: Organization | None = None,
    participants: list[Organization] | None = None,
    milestones: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
) -> ResearchPlan:
    """An alliance organisation drafts a joint research plan; each participant (and the lead) must sign it."""
    lead = lead_organization or actor.organization
    if lead is None or not actor.writes_for(lead.pk):
        raise NotAllowed(_("Act for the lead organisation to draft its research plan."))
    _require_live(alliance, "alliance")
    allowed = _alliance_organization_ids(alliance)
    if lead.pk not in allowed:
        raise NotAllowed(_("Only organisations of the alliance may lead its research plans."))
    others = [o for o in (participants or []) if o.pk != lead.pk]
    if not others:
        raise DomainError(
            _("A joint plan needs at least one other participating organisation."),
            fields={"participants": [_("Required.")]},
        )
    if any(o.pk not in allowed for o in others):
        raise DomainError(
            _("Participants must be organisations of the alliance."),
            fields={"participants": [_("Not in the alliance.")]},
        )
    plan = ResearchPlan(
        alliance=alliance, lead_organization=lead, title=title, objectives=objectives, budget=budget,
        created_by=actor.user,
    )  # fmt: skip
    _full_clean(plan)
    plan.save()
    for organization in [lead, *others]:
        PlanParticipant.objects.create(plan=plan, organization=organization)
    for spec in milestones or []:
        _add_milestone(plan, spec)
    for spec in outputs or []:
        _add_output(actor, plan, spec)
    notify(
        recipients=[u for u in _participant_users(plan) if u.pk != actor.user.pk],
        event="coordination.plan.sign",
        title=notice(gettext_lazy("Please review and sign the research plan %(plan)s"), {"plan": plan.title}),
        url=_plan_url(plan),
        actor=actor.user,
        data={"plan": plan.pk, "version": plan.version},
    )
    return plan


def _add_milestone(plan: ResearchPlan, spec: dict[str, Any]) -> PlanMilestone:
    due_on = spec.get("due_on")
    if not isinstance(due_on, date):
        raise DomainError(_("Give each milestone a date."), fields={"milestones": [_("Date.")]})
    milestone = PlanMilestone(plan=plan, title=spec.get("title", ""), due_on=due_on)
    _full_clean(milestone)
    milestone.save()
    return milestone


def _ip_asset(actor: Actor, plan: ResearchPlan, asset: Any) -> IPAsset | None:
    """The IP asset (or its id) an output became: one the actor sees, on a project of the plan's alliance."""
    if asset is None or asset == "":
        return None
    from alliance.selectors_contracts import ip_asset_list_for

    pk = asset.pk if isinstance(asset, IPAsset) else asset
    # An asset of another alliance (or one the actor cannot see) reads as unknown: its existence is not confirmed.
    found = ip_asset_list_for(actor).filter(pk=pk, project__alliance_id=plan.alliance_id).first()
    if found is None:
        message = _("No IP asset #%(id)s on a project of this alliance.") % {"id": pk}
        raise DomainError(message, fields={"outputs": [message], "ip_asset": [message]})
    return found


def _add_output(actor: Actor, plan: ResearchPlan, spec: dict[str, Any]) -> PlanOutput:
    if spec.get("kind") not in OutputKind.values:
        raise DomainError(_("Unknown output kind."), fields={"kind": [_("Unknown.")]})
    asset = _ip_asset(actor, plan, spec.get("ip_asset"))
    # "patent: #12" names the output after the asset it refers to.
    title = spec.get("title") or (asset.title if asset is not None else "")
    output = PlanOutput(plan=plan, kind=spec["kind"], title=title, ip_asset=asset)
    _full_clean(output)
    output.save()
    return output


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    plan: ResearchPlan,
    milestones: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> ResearchPlan:
    """The lead changes the plan or adds milestones and outputs; after any signature that needs re-approval."""
    locked = _lock_plan(plan)
    _require_plan_lead(actor, locked)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    changed = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if not changed and not milestones and not outputs:
        return locked
    for key, value in changed.items():
        setattr(locked, key, value)
    _full_clean(locked)
    locked.save()
    for spec in milestones or []:
        _add_milestone(locked, spec)
    for spec in outputs or []:
        _add_output(actor, locked, spec)
    _reopen_for_signature(locked, actor)
    return locked


@transaction.atomic
def plan_sign(*, actor: Actor, plan: ResearchPlan, organization: Organization | None = None) -> PlanSignature:
    """A participant's manager signs the current version; the last signature makes the plan active."""
    locked = _lock_plan(plan)
    participant_ids = list(locked.participants.values_list("organization_id", flat=True))
    if organization is None:
        managed = [o for o in participant_ids if actor.manages(o)]
        preferred = actor.organization.pk if actor.organization is not None else None
        organization_id = preferred if preferred in managed else (managed[0] if managed else None)
    else:
        organization_id = organization.pk
    if organization_id is None or organization_id not in participant_ids or not actor.manages(organization_id):
        raise NotAllowed(_("Only a manager of a participating organisation may sign the plan."))
    if locked.signatures.filter(version=locked.version, organization_id=organization_id).exists():
        raise ConflictError(_("Your organisation has already signed this version."))
    signature = PlanSignature.objects.create(
        plan=locked, organization_id=organization_id, version=locked.version, signed_by=actor.user,
        signed_at=timezone.now(),
    )  # fmt: skip
    signed = set(locked.signatures.filter(version=locked.version).values_list("organization_id", flat=True))
    if signed >= set(participant_ids):
        locked.status = PlanStatus.ACTIVE
        locked.activated_at = signature.signed_at
        locked.save(update_fields=["status", "activated_at", "updated_at"])
        notify(
            recipients=_participant_users(locked),
            event="coordination.plan.active",
            title=notice(gettext_lazy("Research plan signed by all and active: %(plan)s"), {"plan": locked.title}),
            url=_plan_url(locked),
            actor=actor.user,
            data={"plan": locked.pk, "version": locked.version},
        )
    return signature
