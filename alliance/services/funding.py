"""Funding of projects: sources, allocations, tranches released on accepted milestones, spending and reports.

Rules that hold across rows are checked here under row locks (``select_for_update``), because the database
can only check one row at a time: the allocations of a source never add up to more than the source, the
tranches of an allocation never add up to more than the allocation, and a project never spends more than
has been released to it. A tranche is released once: a second release (or two at the same moment) finds it
released and changes nothing.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from core.sweepers import claim_due
from notifications.services import Notice, notify, notify_many
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization
from stakeholders.validators import validate_document

from ..choices import GOVERNMENT_ROLES, ParticipantRole
from ..models import (
    Alliance,
    AllianceMember,
    Allocation,
    Expenditure,
    ExpenditureCategory,
    FinancialReport,
    FundingKind,
    FundingSource,
    Milestone,
    Project,
    ProjectParticipant,
    ReportCadence,
    Tranche,
    TrancheStatus,
)
from ..parties import notice, organization_people, organization_users, project_organization_ids, url_or_blank
from ._common import full_clean, require_active, require_live
from .reminders import morning_of

ZERO = Decimal("0")
# Which kind of organisation puts which kind of money in.
KIND_OF_FUNDER = {
    FundingKind.GOVERNMENT_GRANT: OrganizationKind.GOVERNMENT,
    FundingKind.ENTERPRISE_INVESTMENT: OrganizationKind.ENTERPRISE,
    FundingKind.LIBRARY_BUDGET: OrganizationKind.LIBRARY,
}
CADENCE_MONTHS = {ReportCadence.MONTHLY: 1, ReportCadence.QUARTERLY: 3}
# A report covers its period and is due this many days after it ends; a reminder goes out a week before.
REPORT_GRACE = timedelta(days=10)
REMIND_BEFORE = timedelta(days=7)


def _total(qs: Any) -> Decimal:
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def _money(value: Decimal | int | str, field: str) -> Decimal:
    try:
        amount = Decimal(value)
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise DomainError(_("Enter an amount."), fields={field: [_("Enter an amount.")]}) from exc
    if not amount.is_finite() or amount <= 0:
        raise DomainError(_("The amount must be more than zero."), fields={field: [_("Must be more than zero.")]})
    return amount.quantize(Decimal("0.01"))


def _fmt(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


# --- sources and allocations -----------------------------------------------------------------------------------


@transaction.atomic
def funding_source_create(
    *,
    actor: Actor,
    alliance: Alliance,
    organization: Organization,
    kind: str,
    title: str,
    amount: Decimal | int | str,
    starts_on: date,
    ends_on: date,
) -> FundingSource:
    """A funder's managers record money their organisation puts into an alliance for a period."""
    locked = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    if not actor.manages(organization.pk):
        raise NotAllowed(_("Only managers of the funding organisation may record its funding."))
    require_active(locked, _("alliance"))
    if kind not in FundingKind.values:
        raise DomainError(_("Unknown kind of funding."), fields={"kind": [_("Unknown kind.")]})
    if organization.kind != KIND_OF_FUNDER[FundingKind(kind)]:
        raise DomainError(
            _("%(kind)s comes from a %(org_kind)s.")
            % {"kind": FundingKind(kind).label, "org_kind": OrganizationKind(KIND_OF_FUNDER[FundingKind(kind)]).label},
            fields={"kind": [_("Does not fit the organisation's kind.")]},
        )
    member = AllianceMember.objects.active().filter(alliance=locked, organization=organization).exists()
    if not member and locked.lead_library_id != organization.pk:
        raise ConflictError(_("%(org)s must join the alliance first.") % {"org": organization.name_zh})
    source = FundingSource(
        alliance=locked,
        organization=organization,
        kind=kind,
        title=title.strip(),
        amount=_money(amount, "amount"),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor.user,
    )
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("The period ends before it starts."), fields={"ends_on": [_("Before the start.")]})
    full_clean(source)
    source.save()
    return source


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _report_for_period(allocation: Allocation, start: date) -> FinancialReport:
    end = _add_months(start, CADENCE_MONTHS[ReportCadence(allocation.report_cadence)]) - timedelta(days=1)
    due = end + REPORT_GRACE
    report, _created = FinancialReport.objects.get_or_create(
        allocation=allocation,
        period_start=start,
        defaults={
            "organization_id": allocation.project.alliance.lead_library_id,
            "period_end": end,
            "due_on": due,
            "sweep_at": morning_of(due - REMIND_BEFORE),
        },
    )
    return report


@transaction.atomic
def allocation_create(
    *,
    actor: Actor,
    source: FundingSource,
    project: Project,
    amount: Decimal | int | str,
    report_cadence: str = ReportCadence.QUARTERLY,
    starts_on: date | None = None,
) -> Allocation:
    """Set part of a source aside for a project; the allocations of a source never exceed it.

    The allocation counts from ``starts_on`` (today unless given); from then the lead library owes a
    financial report on it at its cadence.
    """
    locked = FundingSource.objects.select_for_update(of=("self",)).get(pk=source.pk)
    if not actor.manages(locked.organization_id):
        raise NotAllowed(_("Only managers of the funding organisation may allocate its money."))
    require_active(locked, _("funding source"))
    project = Project.objects.select_related("alliance").get(pk=project.pk)
    require_live(project)
    if project.alliance_id != locked.alliance_id:
        raise DomainError(
            _("The project belongs to another alliance than the funding source."),
            fields={"project": [_("Not in the source's alliance.")]},
        )
    if report_cadence not in ReportCadence.values:
        raise DomainError(_("Unknown report cadence."), fields={"report_cadence": [_("Unknown cadence.")]})
    value = _money(amount, "amount")
    allocated = _total(locked.allocations.active())
    if allocated + value > locked.amount:
        raise ConflictError(
            _("The source has %(left)s left to allocate; %(asked)s is more than that.")
            % {"left": _fmt(locked.amount - allocated), "asked": _fmt(value)},
            code="over_allocated",
        )
    allocation = Allocation(
        source=locked,
        project=project,
        amount=value,
        starts_on=starts_on or timezone.localdate(),
        report_cadence=report_cadence,
        created_by=actor.user,
    )
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as exc:
        raise ConflictError(_("The source already has an allocation to this project.")) from exc
    _report_for_period(allocation, allocation.starts_on)
    return allocation


@transaction.atomic
def funding_source_archive(*, actor: Actor, source: FundingSource) -> FundingSource:
    """The funder's managers set aside a source recorded by mistake or no longer paying; it stays readable.

    A source that still has active allocations is refused: archive those first (or keep them), so no project
    loses sight of money it was promised without a trace.
    """
    locked = FundingSource.objects.select_for_update(of=("self",)).get(pk=source.pk)
    if not actor.manages(locked.organization_id):
        raise NotAllowed(_("Only managers of the funding organisation may archive its funding."))
    require_active(locked, _("funding source"))
    live = locked.allocations.active().count()
    if live:
        raise ConflictError(
            _("The source still has %(count)s active allocation(s); archive them first.") % {"count": live},
            code="has_allocations",
        )
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def allocation_archive(*, actor: Actor, allocation: Allocation) -> Allocation:
    """The funder's managers withdraw an allocation before any of it is paid out.

    Its planned tranches are archived with it and its unsubmitted reports leave the reminder sweep. Once a
    tranche is released the money is the project's: the allocation stays, so spending keeps its source.
    """
    locked = Allocation.objects.select_for_update(of=("self",)).select_related("source").get(pk=allocation.pk)
    if not actor.manages(locked.source.organization_id):
        raise NotAllowed(_("Only managers of the funding organisation may archive its allocations."))
    require_active(locked, _("allocation"))
    if locked.tranches.active().filter(status=TrancheStatus.RELEASED).exists():
        raise ConflictError(
            _("Money of this allocation has been released to the project; it can no longer be archived."),
            code="money_released",
        )
    now = timezone.now()
    locked.archived_at = now
    locked.save(update_fields=["archived_at", "updated_at"])
    locked.tranches.active().update(archived_at=now, updated_at=now)
    locked.reports.filter(submitted_at__isnull=True).update(sweep_at=None, updated_at=now)
    return locked


# --- milestone acceptance and tranches -----------------------------------------------------------------------


def may_accept_milestones(actor: Actor, project: Project) -> bool:
    """Managers of the project's funder or guiding government, or of a funding source that pays for it."""
    if actor.is_superuser:
        return True
    managed = [org_id for org_id in actor.organization_ids if actor.manages(org_id)]
    if not managed:
        return False
    return (
        ProjectParticipant.objects.active()
        .filter(project=project, organization_id__in=managed, role__in=GOVERNMENT_ROLES)
        .exists()
        or AllianceMember.objects.active()
        .filter(alliance_id=project.alliance_id, organization_id__in=managed, role__in=GOVERNMENT_ROLES)
        .exists()
        or Allocation.objects.active().filter(project=project, source__organization_id__in=managed).exists()
    )


@transaction.atomic
def milestone_accept(*, actor: Actor, milestone: Milestone) -> Milestone:
    """The funder or guiding government accepts a milestone the project has marked done."""
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=milestone.pk)
    project = locked.project
    if not may_accept_milestones(actor, project):
        raise NotAllowed(_("Only managers of the project's funder or guiding government may accept a milestone."))
    require_active(locked, _("milestone"))
    if locked.accepted_at is not None:
        raise ConflictError(_("The milestone is already accepted."), code="already_accepted")
    if locked.done_at is None:
        raise ConflictError(
            _("The milestone “%(title)s” is not done yet: it can be accepted once the project marks it done.")
            % {"title": locked.title},
            code="milestone_not_done",
        )
    locked.accepted_at = timezone.now()
    locked.accepted_by = actor.user
    locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    notify(
        recipients=organization_users(project_organization_ids(project)),
        event="alliance.milestone.accepted",
        title=notice(
            gettext_lazy("Milestone accepted: %(title)s (%(project)s)"),
            {"title": locked.title, "project": project.title},
        ),
        url=url_or_blank("alliance:funding-project", project.pk),
        actor=actor.user,
        data={"project": project.pk, "milestone": locked.pk},
    )
    return locked


@transaction.atomic
def tranche_plan(*, actor: Actor, allocation: Allocation, milestone: Milestone, amount: Decimal | int | str) -> Tranche:
    """The funder ties part of an allocation to a milestone; the tranches never exceed the allocation."""
    locked = Allocation.objects.select_for_update(of=("self",)).select_related("source").get(pk=allocation.pk)
    if not actor.manages(locked.source.organization_id):
        raise NotAllowed(_("Only managers of the funding organisation may plan its tranches."))
    require_active(locked, _("allocation"))
    milestone = Milestone.objects.get(pk=milestone.pk)
    if milestone.project_id != locked.project_id or milestone.is_archived:
        raise DomainError(
            _("The milestone is not an active milestone of the allocation's project."),
            fields={"milestone": [_("Not a milestone of this project.")]},
        )
    value = _money(amount, "amount")
    planned = _total(locked.tranches.active())
    if planned + value > locked.amount:
        raise ConflictError(
            _("The allocation has %(left)s left to plan; %(asked)s is more than that.")
            % {"left": _fmt(locked.amount - planned), "asked": _fmt(value)},
            code="over_allocated",
        )
    tranche = Tranche(allocation=locked, milestone=milestone, amount=value)
    tranche.save()
    return tranche


@transaction.atomic
def tranche_release(*, actor: Actor, tranche: Tranche) -> Tranche:
    """Pay out a tranche whose milestone is accepted. Releasing a released tranche changes nothing."""
    locked = (
        Tranche.objects.select_for_update(of=("self",))
        .select_related("allocation__source", "allocation__project__alliance", "milestone")
        .get(pk=tranche.pk)
    )
    source, project, milestone = locked.allocation.source, locked.allocation.project, locked.milestone
    if not actor.manages(source.organization_id):
        raise NotAllowed(_("Only managers of the funding organisation may release a tranche."))
    if locked.status == TrancheStatus.RELEASED:
        return locked  # released once: a repeated or concurrent release finds it done
    require_active(locked, _("tranche"))
    require_active(locked.allocation, _("allocation"))
    if milestone.accepted_at is None:
        if milestone.done_at is None:
            message = _(
                "The tranche cannot be released: its milestone “%(title)s” is not done yet, "
                "and it must be done and accepted first."
            )
        else:
            message = _(
                "The tranche cannot be released: its milestone “%(title)s” is done but not accepted yet; "
                "accept the milestone first."
            )
        raise ConflictError(message % {"title": milestone.title}, code="milestone_not_accepted")
    locked.status = TrancheStatus.RELEASED
    locked.released_at = timezone.now()
    locked.released_by = actor.user
    locked.save(update_fields=["status", "released_at", "released_by", "updated_at"])
    notify(
        recipients=organization_users(project_organization_ids(project) | {source.organization_id}),
        event="alliance.tranche.released",
        title=notice(
            gettext_lazy("%(amount)s released to %(project)s for milestone %(milestone)s"),
            {"amount": _fmt(locked.amount), "project": project.title, "milestone": milestone.title},
        ),
        url=url_or_blank("alliance:funding-project", project.pk),
        actor=actor.user,
        data={"project": project.pk, "tranche": locked.pk, "milestone": milestone.pk},
    )
    events.emit(
        events.TRANCHE_RELEASED,
        obj=locked,
        organization_ids=project_organization_ids(project) | {source.organization_id},
        data={
            "project": project.pk,
            "alliance": project.alliance_id,
            "tranche": locked.pk,
            "milestone": milestone.pk,
            "amount": str(locked.amount),
        },
    )
    return locked


# --- spending ---------------------------------------------------------------------------------------------------


def spending_organization(actor: Actor, project: Project) -> int:
    """The organisation recording the spending: the project's lead library, or its provider."""
    if actor.writes_for(project.alliance.lead_library_id):
        return project.alliance.lead_library_id
    writable = [org_id for org_id in actor.organization_ids if actor.writes_for(org_id)]
    provider = (
        ProjectParticipant.objects.active()
        .filter(project=project, role=ParticipantRole.PROVIDER, organization_id__in=writable)
        .values_list("organization_id", flat=True)
        .first()
    )
    if provider is None:
        raise NotAllowed(_("Only the project's library or its provider may record spending."))
    return int(provider)


def released_total(allocation: Allocation) -> Decimal:
    return _total(allocation.tranches.active().filter(status=TrancheStatus.RELEASED))


def spent_total(allocation: Allocation) -> Decimal:
    return _total(allocation.expenditures.active())


@transaction.atomic
def expenditure_record(
    *,
    actor: Actor,
    allocation: Allocation,
    amount: Decimal | int | str,
    category: str,
    spent_on: date,
    receipt: UploadedFile,
    description: str = "",
) -> Expenditure:
    """The project's library or provider records spending out of released money, with its receipt."""
    locked = (
        Allocation.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=allocation.pk)
    )
    project = locked.project
    organization_id = spending_organization(actor, project)
    require_active(locked, _("allocation"))
    if category not in ExpenditureCategory.values:
        raise DomainError(_("Unknown category."), fields={"category": [_("Unknown category.")]})
    if spent_on > timezone.localdate():
        raise DomainError(_("Spending cannot be dated in the future."), fields={"spent_on": [_("In the future.")]})
    if receipt is None:
        raise DomainError(_("Attach the receipt."), fields={"receipt": [_("Attach the receipt.")]})
    try:
        validate_document(receipt)
    except ValidationError as exc:
        raise DomainError("; ".join(exc.messages), fields={"receipt": list(exc.messages)}) from exc
    value = _money(amount, "amount")
    available = released_total(locked) - spent_total(locked)
    if value > available:
        raise ConflictError(
            _("Only %(left)s of the released money is unspent; %(asked)s is more than that.")
            % {"left": _fmt(available), "asked": _fmt(value)},
            code="over_released",
        )
    expenditure = Expenditure(
        project=project,
        allocation=locked,
        amount=value,
        category=category,
        spent_on=spent_on,
        description=description.strip(),
        receipt=receipt,
        organization_id=organization_id,
        recorded_by=actor.user,
    )
    full_clean(expenditure, exclude=["receipt"])
    expenditure.save()
    return expenditure


# --- financial reports ----------------------------------------------------------------------------------------


@transaction.atomic
def financial_report_submit(*, actor: Actor, report: FinancialReport, summary: str) -> FinancialReport:
    """The lead library reports on a period; the next period's report is then owed while the source runs."""
    locked = (
        FinancialReport.objects.select_for_update(of=("self",))
        .select_related("allocation__source", "allocation__project__alliance")
        .get(pk=report.pk)
    )
    if not actor.writes_for(locked.organization_id):
        raise NotAllowed(_("Only the project's lead library may submit its financial reports."))
    if locked.submitted_at is not None:
        raise ConflictError(_("The report is already submitted."))
    if not summary.strip():
        raise DomainError(_("Write the report's summary."), fields={"summary": [_("This field is required.")]})
    locked.summary = summary.strip()
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor.user
    locked.sweep_at = None
    locked.save(update_fields=["summary", "submitted_at", "submitted_by", "sweep_at", "updated_at"])
    allocation = locked.allocation
    next_start = locked.period_end + timedelta(days=1)
    if allocation.archived_at is None and next_start <= allocation.source.ends_on:
        _report_for_period(allocation, next_start)
    notify(
        recipients=organization_users({allocation.source.organization_id}),
        event="alliance.financial_report.submitted",
        title=notice(
            gettext_lazy("Financial report submitted: %(project)s, %(start)s – %(end)s"),
            {
                "project": allocation.project.title,
                "start": locked.period_start.isoformat(),
                "end": locked.period_end.isoformat(),
            },
        ),
        url=url_or_blank("alliance:funding-project", allocation.project_id),
        actor=actor.user,
        data={"project": allocation.project_id, "report": locked.pk},
    )
    return locked


def financial_reports_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Remind the lead library once a week before a report is due, and escalate once when it is overdue.

    Set-based: the claimed rows are locked, so their reminded_at / escalated_at say whether the reminder or
    the escalation is still owed; all of them are stamped with one UPDATE and told with one ``notify_many()``,
    so the query count does not grow with the number of due reports.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = claim_due(
            FinancialReport.objects.filter(submitted_at__isnull=True).select_related(
                "allocation__project", "allocation__source"
            ),
            now=now,
            limit=limit,
            field="sweep_at",
        )
        if not rows:
            return 0
        due, overdue = [], []
        for report in rows:
            overdue_at = morning_of(report.due_on + timedelta(days=1))
            if now < overdue_at:
                report.sweep_at = overdue_at
                if report.reminded_at is None:
                    report.reminded_at = now
                    due.append(report)
            else:
                report.sweep_at = None
                if report.escalated_at is None:
                    report.escalated_at = now
                    overdue.append(report)
        FinancialReport.objects.bulk_update(rows, ["sweep_at", "reminded_at", "escalated_at"])
        everyone, managers = organization_people(
            {r.organization_id for r in rows} | {r.allocation.source.organization_id for r in overdue}
        )
        notices = []
        for report, event, message in [
            *((r, "due", gettext_lazy("Financial report for %(project)s due on %(due)s")) for r in due),
            *((r, "overdue", gettext_lazy("Financial report for %(project)s overdue since %(due)s")) for r in overdue),
        ]:
            project = report.allocation.project
            if event == "due":
                recipients = everyone.get(report.organization_id, [])
            else:
                recipients = [
                    *managers.get(report.organization_id, []),
                    *managers.get(report.allocation.source.organization_id, []),
                ]
            notices.append(
                Notice(
                    recipients,
                    f"alliance.financial_report.{event}",
                    notice(message, {"project": project.title, "due": report.due_on.isoformat()}),
                    url=url_or_blank("alliance:funding-project", project.pk),
                    data={"project": project.pk, "report": report.pk, "due": report.due_on.isoformat()},
                )
            )
        notify_many(notices)
    return len(rows)


__all__ = [
    "allocation_archive",
    "allocation_create",
    "expenditure_record",
    "financial_report_submit",
    "financial_reports_sweep",
    "funding_source_archive",
    "funding_source_create",
    "may_accept_milestones",
    "milestone_accept",
    "released_total",
    "spent_total",
    "tranche_plan",
    "tranche_release",
]
