"""Coordination pages: the calendar, a meeting with its agenda, minutes and action items, research plans.

Thin over coordination.selectors (the same scoped reads as the API) and coordination.services. The
calendar feeds (.ics) are plain text in RFC 5545; the per-person feed authenticates by its secret token.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.models import AllianceMember
from alliance.selectors import alliance_list_for
from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for, build_actor
from stakeholders.forms import add_domain_error
from stakeholders.models import Membership, Organization

from . import ics, selectors, services
from .choices import AgendaTarget, MeetingStatus
from .forms import (
    AgendaForm,
    AttendanceForm,
    InviteForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    PlanForm,
    in_zone,
)
from .models import AgendaItem, Meeting, MeetingAttendee, ResearchPlan


def _alliance_organizations(actor: Actor) -> QuerySet[Organization]:
    """Organisations of the alliances the actor sees (members and lead libraries): who may be invited."""
    alliances = alliance_list_for(actor).values("pk")
    members = AllianceMember.objects.active().filter(alliance__in=alliances).values("organization_id")
    leads = alliance_list_for(actor).values("lead_library_id")
    return (
        Organization.objects.filter(archived_at__isnull=True)
        .filter(pk__in=members.union(leads))
        .order_by("kind", "name_zh")
    )


def _month(request: HttpRequest) -> date:
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """A month grid of the meetings the actor sees, the next meetings and the actor's open action items."""
    actor = actor_for(request)
    first = _month(request)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
    in_range = selectors.meeting_list_for(actor).filter(
        starts_at__gte=timezone.make_aware(datetime.combine(start, time.min)),
        starts_at__lt=timezone.make_aware(datetime.combine(end, time.min)),
    )
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in in_range:
        by_day[timezone.localtime(meeting.starts_at).date()].append(meeting)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    context = {
        "month": first,
        "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        "previous": previous.strftime("%Y-%m"),
        "following": following.strftime("%Y-%m"),
        "today": timezone.localdate(),
        "upcoming": selectors.upcoming_meetings_for(actor)[:8],
        "action_items": selectors.open_action_items_for(actor)[:20],
        "can_schedule": bool(actor.memberships),
        "has_feed": hasattr(request.user, "calendar_feed"),
        "feed_url": request.session.pop("coordination_feed_url", ""),
    }
    return render(request, "coordination/calendar.html", context)


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = MeetingForm(
        request.POST or None, alliances=alliance_list_for(actor), organizations=_alliance_organizations(actor)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        zone = data["timezone"]
        try:
            meeting = services.meeting_schedule(
                actor=actor, alliance=data["alliance"], kind=data["kind"], title=data["title"],
                starts_at=in_zone(data["starts_at"], zone), ends_at=in_zone(data["ends_at"], zone),
                timezone_name=zone, place=data["place"], online_url=data["online_url"],
                visibility=data["visibility"], organizations=list(data["organizations"]),
                recurrence=data["recurrence"], occurrences=data["occurrences"] or 1,
                description=data["description"],
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The meeting is scheduled and the invited are told."))
            return redirect("coordination:meeting-detail", pk=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form})


def _owner_choices(meeting: Meeting) -> list[tuple[str, str]]:
    """People of the organiser and the invited organisations, as "user:organisation" choices (one query)."""
    org_ids = {i.organization_id for i in meeting.invitations.all()} | {meeting.organizer_id}
    rows = (
        Membership.objects.active()
        .filter(organization_id__in=org_ids, user__is_active=True)
        .select_related("user", "organization")
        .order_by("organization__name_zh", "user__username")
    )
    return [(f"{m.user_id}:{m.organization_id}", f"{m.user.shown_name} · {m.organization.display_name}") for m in rows]


def _agenda_targets(actor: Actor, meeting: Meeting) -> list[tuple[str, Any]]:
    """Things of the meeting's alliance the actor can see, grouped by kind, as "kind:id" choices."""
    groups = []
    filters: dict[str, dict[str, Any]] = {
        AgendaTarget.PROJECT: {"alliance": meeting.alliance_id},
        AgendaTarget.NEED: {"alliance": meeting.alliance_id},
        AgendaTarget.RISK: {"register__alliance": meeting.alliance_id},
        AgendaTarget.FEEDBACK: {"library_id": meeting.alliance.lead_library_id},
    }
    for kind, label in AgendaTarget.choices:
        objects = selectors.agenda_targets_for(actor, kind).filter(**filters[kind])[:30]
        options = [(f"{kind}:{o.pk}", str(getattr(o, "title", "") or o)[:80]) for o in objects]
        if options:
            groups.append((str(label), options))
    return groups


def _meeting_for(request: HttpRequest, pk: int) -> tuple[Actor, Meeting]:
    actor = actor_for(request)
    return actor, get_object_or_404(selectors.meeting_list_for(actor), pk=pk)


@login_required
def meeting_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    actor, meeting = _meeting_for(request, pk)
    organiser = actor.writes_for(meeting.organizer_id) and meeting.status != MeetingStatus.CANCELLED
    attendee = meeting.attendees.filter(user=actor.user).first()
    invited_ids = {i.organization_id for i in meeting.invitations.all()}
    context = {
        "meeting": meeting,
        "agenda": meeting.agenda_items.active(),
        "decisions": meeting.decisions.all(),
        "action_items": meeting.action_items.filter(archived_at__isnull=True).select_related(
            "owner", "owner_organization"
        ),
        "attendees": meeting.attendees.select_related("user", "organization").order_by("organization_id", "id"),
        "counts": selectors.meeting_attendance_counts(meeting),
        "organiser": organiser,
        "attendee": attendee,
        "can_register": meeting.status == MeetingStatus.SCHEDULED
        and meeting.ends_at > timezone.now()
        and not (attendee and attendee.registered_at),
        "local_start": timezone.localtime(meeting.starts_at, ZoneInfo(meeting.timezone)),
        "local_end": timezone.localtime(meeting.ends_at, ZoneInfo(meeting.timezone)),
        "today": timezone.localdate(),
    }
    if organiser:
        context["minutes_form"] = forms.get("minutes_form") or MinutesForm(
            owners=_owner_choices(meeting), initial={"minutes": meeting.minutes}
        )
        context["agenda_form"] = forms.get("agenda_form") or AgendaForm(targets=_agenda_targets(actor, meeting))
        context["invite_form"] = forms.get("invite_form") or InviteForm(
            organizations=_alliance_organizations(actor).exclude(pk__in=invited_ids | {meeting.organizer_id})
        )
    return render(request, "coordination/meeting_detail.html", context)


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("coordination:meeting-detail", args=[meeting.pk]) + anchor)


def _edit_back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("coordination:meeting-edit", args=[meeting.pk]) + anchor)


def _from_edit(request: HttpRequest) -> bool:
    """The invite and agenda forms are on the detail page and on the edit page; go back where they were sent."""
    return request.POST.get("from") == "edit"


def _organiser_meeting(request: HttpRequest, pk: int) -> tuple[Actor, Meeting]:
    """A meeting the actor sees and whose organiser they write for, not cancelled (404 otherwise, like risk pages)."""
    actor, meeting = _meeting_for(request, pk)
    if not actor.writes_for(meeting.organizer_id) or meeting.status == MeetingStatus.CANCELLED:
        raise Http404
    return actor, meeting


def _invitable_people(meeting: Meeting) -> QuerySet[Any]:
    """People of the organiser and the invited organisations not yet invited by name."""
    org_ids = [*meeting.invitations.values_list("organization_id", flat=True), meeting.organizer_id]
    named = MeetingAttendee.objects.filter(meeting=meeting, invited=True).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organization_id__in=org_ids, memberships__archived_at__isnull=True)
        .exclude(pk__in=named)
        .distinct()
        .order_by("username")
    )


def _edit_initial(meeting: Meeting) -> dict[str, Any]:
    zone = ZoneInfo(meeting.timezone)
    return {
        **{name: getattr(meeting, name) for name in ("kind", "title", "timezone", "place", "online_url")},
        "visibility": meeting.visibility,
        "description": meeting.description,
        "starts_at": timezone.localtime(meeting.starts_at, zone).replace(tzinfo=None),
        "ends_at": timezone.localtime(meeting.ends_at, zone).replace(tzinfo=None),
    }


@login_required
def meeting_edit(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    """The organiser's page: time and zone, place and link, invitees and agenda of one meeting."""
    actor, meeting = _organiser_meeting(request, pk)
    posted = request.method == "POST" and not forms
    form = MeetingEditForm(request.POST if posted else None, zone=meeting.timezone, initial=_edit_initial(meeting))
    if posted and form.is_valid():
        try:
            services.meeting_update(actor=actor, meeting=meeting, **form.changes())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The meeting is changed; the invited are told of a new time or place."))
            return _back(meeting)
    invited_ids = {i.organization_id for i in meeting.invitations.all()}
    targets = _agenda_targets(actor, meeting)
    editing = forms.get("agenda_edit")
    agenda = [
        (item, editing[1] if editing and editing[0] == item.pk else _agenda_item_form(item, targets))
        for item in meeting.agenda_items.active()
    ]
    context = {
        "meeting": meeting,
        "form": form,
        "agenda": agenda,
        "named": meeting.attendees.filter(invited=True).select_related("user", "organization").order_by("id"),
        "invite_form": forms.get("invite_form")
        or InviteForm(
            organizations=_alliance_organizations(actor).exclude(pk__in=invited_ids | {meeting.organizer_id}),
            people=_invitable_people(meeting),
        ),
        "agenda_form": forms.get("agenda_form") or AgendaForm(targets=targets),
    }
    bound = [f[1] if isinstance(f, tuple) else f for f in forms.values()]
    status = 400 if (posted and form.errors) or any(f.errors for f in bound) else 200
    return render(request, "coordination/meeting_edit.html", context, status=status)


def _attendance_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """Everyone of the organiser and the invited organisations, and anyone already on the list (two queries)."""
    org_ids = [*meeting.invitations.values_list("organization_id", flat=True), meeting.organizer_id]
    attendees = {a.user_id: a for a in meeting.attendees.select_related("user", "organization").order_by("id")}
    rows: dict[int, dict[str, Any]] = {}
    memberships = (
        Membership.objects.active()
        .filter(organization_id__in=org_ids, user__is_active=True)
        .select_related("user", "organization")
        .order_by("organization__kind", "organization__name_zh", "user__username")
    )
    for m in memberships:
        rows.setdefault(m.user_id, {"user": m.user, "organization": m.organization})
    for user_id, a in attendees.items():
        rows.setdefault(user_id, {"user": a.user, "organization": a.organization})
    for user_id, row in rows.items():
        attendee = attendees.get(user_id)
        row["invited"] = bool(attendee and attendee.invited)
        row["registered_at"] = attendee.registered_at if attendee else None
        row["registered"] = bool(attendee and attendee.registered_at)
        row["attended"] = bool(attendee and attendee.attended)
    return list(rows.values())


@login_required
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's sheet: tick who registered and who attended, person by person, organisation by organisation."""
    actor, meeting = _organiser_meeting(request, pk)
    form = AttendanceForm(request.POST or None, rows=_attendance_rows(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_attendance_sheet(actor=actor, meeting=meeting, entries=form.entries())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Registration and attendance are recorded."))
            return _back(meeting, "#attendees")
    context = {"meeting": meeting, "form": form, "counts": selectors.meeting_attendance_counts(meeting)}
    return render(request, "coordination/meeting_attendance.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def meeting_register(request: HttpRequest, pk: int) -> HttpResponse:
    actor, meeting = _meeting_for(request, pk)
    try:
        services.meeting_register(actor=actor, meeting=meeting)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are registered."))
    return _back(meeting)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor, meeting = _meeting_for(request, pk)
    try:
        services.meeting_cancel(actor=actor, meeting=meeting)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The meeting is cancelled and the invited are told."))
    return _back(meeting)


@login_required
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor, meeting = _meeting_for(request, pk)
    form = InviteForm(request.POST, organizations=_alliance_organizations(actor), people=_invitable_people(meeting))
    if form.is_valid():
        try:
            services.meeting_invite(
                actor=actor, meeting=meeting, organizations=list(form.cleaned_data["organizations"]),
                people=list(form.cleaned_data["people"]),
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The invitations are sent."))
            return _edit_back(meeting, "#invitees") if _from_edit(request) else _back(meeting)
    if _from_edit(request):
        return meeting_edit(request, pk, invite_form=form)
    return meeting_detail(request, pk, invite_form=form)


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    actor, meeting = _meeting_for(request, pk)
    form = AgendaForm(request.POST, targets=_agenda_targets(actor, meeting))
    if form.is_valid():
        try:
            services.agenda_item_add(actor=actor, meeting=meeting, **_agenda_fields(form))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _edit_back(meeting, "#agenda") if _from_edit(request) else _back(meeting, "#agenda")
    if _from_edit(request):
        return meeting_edit(request, pk, agenda_form=form)
    return meeting_detail(request, pk, agenda_form=form)


def _agenda_fields(form: AgendaForm) -> dict[str, Any]:
    """An agenda form's cleaned data as the services take it: the "kind:id" target split in two."""
    kind, _sep, target_id = form.cleaned_data["target"].partition(":")
    return {
        "title": form.cleaned_data["title"],
        "notes": form.cleaned_data["notes"],
        "target_kind": kind,
        "target_id": int(target_id) if target_id else None,
    }


def _agenda_item_form(item: AgendaItem, targets: list[tuple[str, Any]], data: Any = None) -> AgendaForm:
    """The edit form of one agenda item; its current target stays a choice even if no longer in the short list."""
    current = f"{item.target_kind}:{item.target_id}" if item.target_kind else ""
    listed = {value for _group, options in targets for value, _label in options}
    if current and current not in listed:
        targets = [*targets, (str(item.get_target_kind_display()), [(current, item.target_label)])]
    initial = {"title": item.title, "notes": item.notes, "target": current}
    return AgendaForm(data, prefix=f"agenda-{item.pk}", initial=initial, targets=targets)


@login_required
@require_POST
def agenda_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The organiser rewords an agenda item or changes what it is about (from the meeting's edit page)."""
    actor, meeting = _organiser_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items.active(), pk=item_pk)
    form = _agenda_item_form(item, _agenda_targets(actor, meeting), request.POST)
    if form.is_valid():
        try:
            services.agenda_item_update(actor=actor, item=item, **_agenda_fields(form))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The agenda item is changed."))
            return _edit_back(meeting, "#agenda")
    return meeting_edit(request, pk, agenda_edit=(item.pk, form))


@login_required
@require_POST
def agenda_item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The organiser takes an item off the agenda; it is archived and stays in the meeting's history."""
    actor, meeting = _organiser_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items.active(), pk=item_pk)
    try:
        services.agenda_item_remove(actor=actor, item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(title)s” is taken off the agenda.") % {"title": item.title})
    return _edit_back(meeting, "#agenda")


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    actor, meeting = _meeting_for(request, pk)
    form = MinutesForm(request.POST, owners=_owner_choices(meeting))
    if form.is_valid():
        specs = form.action_specs()
        if form.is_valid():  # action_specs() may have added errors
            users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[s["owner"] for s in specs])}
            orgs = Organization.objects.in_bulk([s["owner_organization"] for s in specs])
            items = [
                {**s, "owner": users.get(s["owner"]), "owner_organization": orgs.get(s["owner_organization"])}
                for s in specs
            ]
            try:
                services.meeting_record_minutes(
                    actor=actor, meeting=meeting, minutes=form.cleaned_data["minutes"],
                    decisions=form.decision_list(), action_items=items,
                )  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The minutes are recorded; owners are told of their action items."))
                return _back(meeting, "#minutes")
    return meeting_detail(request, pk, minutes_form=form)


@login_required
@require_POST
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    item = get_object_or_404(selectors.action_item_list_for(actor), pk=pk)
    try:
        services.action_item_update(actor=actor, item=item, status="done")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked done."))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "coordination:calendar")


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The invitation as an .ics file; for a series, its first meeting with the RRULE."""
    _actor, meeting = _meeting_for(request, pk)
    if meeting.series_id is not None:
        meeting = Meeting.objects.filter(series_id=meeting.series_id).select_related("organizer", "series").order_by(
            "starts_at", "id"
        ).first() or meeting  # fmt: skip
    url = request.build_absolute_uri(reverse("coordination:meeting-detail", args=[meeting.pk]))
    return _ics_response(ics.calendar([meeting], lambda m: url, method="PUBLISH"), f"meeting-{meeting.pk}.ics")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's calendar of every meeting they may see; calendar apps fetch it with the secret token alone."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    meetings = selectors.meeting_list_for(build_actor(user)).prefetch_related(None).order_by("starts_at", "id")
    base = request.build_absolute_uri("/")[:-1]

    def url_for(meeting: Meeting) -> str:
        return base + reverse("coordination:meeting-detail", args=[meeting.pk])

    return _ics_response(ics.calendar(meetings, url_for, name=_("Gongjian meetings")), "gongjian.ics")


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    token = services.calendar_feed_rotate(user=request.user)
    request.session["coordination_feed_url"] = request.build_absolute_uri(reverse("coordination:feed", args=[token]))
    messages.success(request, _("Your calendar address is ready. Any earlier address stops working."))
    return redirect("coordination:calendar")


# --- research plans -------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    plans = selectors.plan_list_for(actor)
    rows = [(plan, selectors.plan_signature_counts(plan)) for plan in plans[:100]]
    return render(request, "coordination/plan_list.html", {"rows": rows, "can_create": bool(actor.memberships)})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = PlanForm(
        request.POST or None, alliances=alliance_list_for(actor), organizations=_alliance_organizations(actor)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=actor, alliance=data["alliance"], title=data["title"], objectives=data["objectives"],
                budget=data["budget"], participants=list(data["participants"]), milestones=data["milestones"],
                outputs=data["outputs"],
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The plan is drafted; every participating organisation is asked to sign."))
            return redirect("coordination:plan-detail", pk=plan.pk)
    return render(request, "coordination/plan_form.html", {"form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    plan: ResearchPlan = get_object_or_404(selectors.plan_list_for(actor), pk=pk)
    current = {s.organization_id: s for s in plan.signatures.all() if s.version == plan.version}
    participants = [(p, current.get(p.organization_id)) for p in plan.participants.all()]
    may_sign = [p.organization for p, signed in participants if signed is None and actor.manages(p.organization_id)]
    context = {
        "plan": plan,
        "participants": participants,
        "counts": selectors.plan_signature_counts(plan),
        "earlier": [s for s in plan.signatures.all() if s.version != plan.version],
        "may_sign": may_sign,
    }
    return render(request, "coordination/plan_detail.html", context)


@login_required
@require_POST
def plan_sign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    plan = get_object_or_404(selectors.plan_list_for(actor), pk=pk)
    organization = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
    try:
        services.plan_sign(actor=actor, plan=plan, organization=organization)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Signed."))
    return redirect("coordination:plan-detail", pk=plan.pk)
