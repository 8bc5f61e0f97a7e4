"""Every write of the risk register: registers, risks and their treatment, reviews, incidents, pre-assessments.

Services take the acting person, check the rule, write in one transaction and notify through
``notifications.services.notify`` in that same transaction. The review sweeper and the acceptance expiry
are idempotent: they claim due rows with ``SKIP LOCKED`` and record each reminder under a unique key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.choices import GOVERNMENT_ROLES, ParticipantRole, ProjectStatus
from alliance.models import Alliance, AllianceMember, Project, ProjectParticipant
from alliance.parties import (
    GOVERNMENT,
    LEAD,
    LEAD_MANAGER,
    PROVIDER,
    notice,
    organization_people,
    organization_users,
    project_organization_ids,
    project_parties,
    url_or_blank,
)
from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from core.sweepers import claim_due, insert_once
from notifications.services import Notice, notify, notify_many
from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES
from stakeholders.models import Organization

from .access import register_parties, require_keeper
from .choices import (
    ESCALATE_AFTER,
    SCALE,
    PreAssessmentStatus,
    ReminderLevel,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    Treatment,
    level_for,
    review_cadence,
    score,
)
from .models import (
    Acceptance,
    Drill,
    EmergencyPlan,
    Incident,
    Mitigation,
    PreAssessment,
    PreAssessmentItem,
    Review,
    ReviewReminder,
    Risk,
    RiskRegister,
    RiskTemplate,
)

# Who may accept a residual risk, by its level: the worse it is, the higher the authority it needs.
# A critical residual risk is the public funder's to accept, not the library's alone.
ACCEPT_AUTHORITY: dict[str, frozenset[str]] = {
    RiskLevel.LOW: frozenset({LEAD}),
    RiskLevel.MEDIUM: frozenset({LEAD}),
    RiskLevel.HIGH: frozenset({LEAD_MANAGER}),
    RiskLevel.CRITICAL: frozenset({GOVERNMENT}),
}
AUTHORITY_LABELS = {
    LEAD: gettext_lazy("library staff"),
    LEAD_MANAGER: gettext_lazy("library managers"),
    GOVERNMENT: gettext_lazy("the guiding or funding government body"),
}
RISK_FIELDS = (
    "category", "title", "cause", "consequence", "owner", "owner_organization", "likelihood", "impact",
    "treatment", "residual_likelihood", "residual_impact",
)  # fmt: skip


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        raise DomainError("; ".join(exc.messages), fields=fields) from exc


def _check_scale(**values: int | None) -> None:
    bad = {name: [_("Must be between 1 and 5.")] for name, value in values.items() if value not in SCALE}
    if bad:
        raise DomainError(_("Likelihood and impact are scored from 1 to 5."), fields=bad)


def _check_labels(name: str, labels: Any) -> None:
    if not (isinstance(labels, list) and len(labels) == 5 and all(isinstance(x, str) and x.strip() for x in labels)):
        raise DomainError(
            _("The matrix needs five non-empty labels, lowest first."), fields={name: [_("Five labels.")]}
        )


def _require_live(obj: Any, what: str) -> None:
    if getattr(obj, "archived_at", None) is not None:
        raise ConflictError(_("The %(what)s is archived.") % {"what": what})


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


def _owners(risk: Risk) -> list[Any]:
    """The risk's named owner, or everyone of its owning organisation when no one is named."""
    if risk.owner_id is not None:
        return [risk.owner]
    return organization_users({risk.owner_organization_id})


def _risk_url(risk: Risk) -> str:
    return url_or_blank("risk:risk-detail", risk.pk)


def _party_organization_ids(register: RiskRegister) -> set[int]:
    """Organisations that may own a risk of this register: the lead library and the alliance's or project's parties."""
    ids = {register.alliance.lead_library_id}
    if register.project_id is not None:
        ids |= set(
            ProjectParticipant.objects.active()
            .filter(project_id=register.project_id)
            .values_list("organization_id", flat=True)
        )
    else:
        ids |= set(
            AllianceMember.objects.active()
            .filter(alliance_id=register.alliance_id)
            .values_list("organization_id", flat=True)
        )
    return ids


def party_organizations(register: RiskRegister) -> Any:
    """The organisations that may own a risk or a mitigation of the register (for the pages' choices)."""
    return Organization.objects.filter(pk__in=_party_organization_ids(register)).order_by("kind", "name_zh")


def may_review(actor: Actor, risk: Risk) -> bool:
    """The register's keepers and the risk's owning organisation review it and record drills of its plans."""
    return _may_review(actor, risk)


def _check_owner(register: RiskRegister, organization: Organization, owner: Any) -> None:
    if organization.pk not in _party_organization_ids(register):
        raise DomainError(
            _("The owning organisation must take part in the alliance or project."),
            fields={"owner_organization": [_("Not a party of this register.")]},
        )
    if owner is not None and not owner.memberships.active().filter(organization=organization).exists():
        raise DomainError(_("The owner must act for the owning organisation."), fields={"owner": [_("Not a member.")]})


def _rescore(risk: Risk) -> None:
    risk.inherent_score = score(risk.likelihood, risk.impact)
    risk.inherent_level = level_for(risk.inherent_score)
    risk.residual_score = score(risk.residual_likelihood, risk.residual_impact)
    risk.residual_level = level_for(risk.residual_score)


def _register_organization_ids(register: Any) -> set[int]:
    """Who sees the register (risk.access.visible_registers): the project's parties, or the lead and its guides."""
    if register.project_id is not None:
        return project_organization_ids(register.project)
    governed = AllianceMember.objects.active().filter(alliance_id=register.alliance_id, role__in=GOVERNMENT_ROLES)
    return {register.alliance.lead_library_id, *governed.values_list("organization_id", flat=True)}


def _emit_level_change(risk: Risk, previous_level: str) -> None:
    """Tell listeners (webhooks) when a re-score moves the residual level; ids and levels only."""
    if risk.residual_level == previous_level:
        return
    events.emit(
        events.RISK_LEVEL_CHANGED,
        obj=risk,
        organization_ids=_register_organization_ids(risk.register),
        data={"risk": risk.pk, "register": risk.register_id, "from": previous_level, "to": risk.residual_level},
    )


def _schedule_review(risk: Risk, now: datetime) -> None:
    """The next review falls one cadence of the residual level after now; the sweeper looks then."""
    risk.next_review_at = now + review_cadence(risk.residual_level)
    risk.sweep_at = risk.next_review_at


# --- registers ------------------------------------------------------------------------------------------------


@transaction.atomic
def register_create(
    *,
    actor: Actor,
    alliance: Alliance,
    project: Project | None = None,
    title: str = "",
    likelihood_labels: list[str] | None = None,
    impact_labels: list[str] | None = None,
) -> RiskRegister:
    """Library managers open the register of their alliance, or of one of its projects (one of each)."""
    if project is not None and project.alliance_id != alliance.pk:
        raise DomainError(_("The project belongs to another alliance."), fields={"project": [_("Wrong alliance.")]})
    register = RiskRegister(
        alliance=alliance,
        project=project,
        title=title.strip() or (project.title if project else alliance.name),
        created_by=actor.user,
    )
    require_keeper(actor, register, manager=True)
    _require_live(alliance, _("alliance"))
    if project is not None:
        _require_live(project, _("project"))
    if likelihood_labels is not None:
        _check_labels("likelihood_labels", likelihood_labels)
        register.likelihood_labels = likelihood_labels
    if impact_labels is not None:
        _check_labels("impact_labels", impact_labels)
        register.impact_labels = impact_labels
    try:
        with transaction.atomic():
            register.save()
    except IntegrityError as exc:
        raise ConflictError(_("This alliance or project already has a risk register.")) from exc
    return register


@transaction.atomic
def register_update(
    *,
    actor: Actor,
    register: RiskRegister,
    title: str | None = None,
    likelihood_labels: list[str] | None = None,
    impact_labels: list[str] | None = None,
) -> RiskRegister:
    """Library staff rename the register or reword its matrix labels."""
    locked = RiskRegister.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=register.pk)
    require_keeper(actor, locked)
    _require_live(locked, _("risk register"))
    if title is not None:
        if not title.strip():
            raise DomainError(_("A register needs a title."), fields={"title": [_("Required.")]})
        locked.title = title.strip()
    if likelihood_labels is not None:
        _check_labels("likelihood_labels", likelihood_labels)
        locked.likelihood_labels = likelihood_labels
    if impact_labels is not None:
        _check_labels("impact_labels", impact_labels)
        locked.impact_labels = impact_labels
    locked.save()
    return locked


@transaction.atomic
def register_archive(*, actor: Actor, register: RiskRegister) -> RiskRegister:
    """Library managers archive a register; its risks stay readable but leave the sweeps."""
    locked = RiskRegister.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=register.pk)
    require_keeper(actor, locked, manager=True)
    _require_live(locked, _("risk register"))
    now = timezone.now()
    locked.archived_at = now
    locked.save(update_fields=["archived_at", "updated_at"])
    Risk.objects.filter(register=locked).update(sweep_at=None)
    return locked


def _template_text(template: RiskTemplate, field: str, chinese: bool) -> str:
    return str(getattr(template, f"{field}_zh" if chinese else f"{field}_en"))


@transaction.atomic
def register_adopt_templates(
    *,
    actor: Actor,
    register: RiskRegister,
    templates: list[RiskTemplate],
    owner_organization: Organization | None = None,
    language: str | None = None,
) -> list[Risk]:
    """Library staff adopt domain templates as starting risks of the register, to adjust afterwards.

    The text is copied in ``language``, else the adopting person's preferred language, so a
    later change to a template never rewrites a library's own risk.
    """
    if not templates:
        raise DomainError(
            _("Choose at least one template to adopt."), code="nothing_to_adopt", fields={"templates": [_("Empty.")]}
        )
    locked = RiskRegister.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=register.pk)
    require_keeper(actor, locked)
    _require_live(locked, _("risk register"))
    archived = [t.code for t in templates if t.archived_at is not None]
    if archived:
        raise DomainError(_("Archived templates cannot be adopted: %(codes)s.") % {"codes": ", ".join(archived)})
    taken = set(
        Risk.objects.active().filter(register=locked, template__in=templates).values_list("template__code", flat=True)
    )
    if taken:
        raise ConflictError(
            _("These templates are already in the register: %(codes)s.") % {"codes": ", ".join(sorted(taken))}
        )
    owner_org = owner_organization or locked.alliance.lead_library
    _check_owner(locked, owner_org, None)
    chinese = (language or getattr(actor.user, "preferred_language", "") or "zh-hans").lower().startswith("zh")
    now = timezone.now()
    risks = []
    for template in sorted({t.pk: t for t in templates}.values(), key=lambda t: (t.category, t.code)):
        risk = Risk(
            register=locked,
            template=template,
            category=template.category,
            title=_template_text(template, "title", chinese),
            cause=_template_text(template, "cause", chinese),
            consequence=_template_text(template, "consequence", chinese),
            owner_organization=owner_org,
            likelihood=template.likelihood,
            impact=template.impact,
            treatment=template.treatment,
            residual_likelihood=template.likelihood,
            residual_impact=template.impact,
            created_by=actor.user,
        )
        _rescore(risk)
        _schedule_review(risk, now)
        risks.append(risk)
    return Risk.objects.bulk_create(risks)


# --- risks ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def risk_create(
    *,
    actor: Actor,
    register: RiskRegister,
    category: str,
    title: str,
    likelihood: int,
    impact: int,
    cause: str = "",
    consequence: str = "",
    owner: Any = None,
    owner_organization: Organization | None = None,
    treatment: str = Treatment.MITIGATE,
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
) -> Risk:
    """Library staff record a risk; until treated its residual scores are its inherent ones."""
    locked = RiskRegister.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=register.pk)
    require_keeper(actor, locked)
    _require_live(locked, _("risk register"))
    residual_likelihood = residual_likelihood or likelihood
    residual_impact = residual_impact or impact
    _check_scale(
        likelihood=likelihood,
        impact=impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
    )
    owner_org = owner_organization or (owner and actor.organization) or locked.alliance.lead_library
    _check_owner(locked, owner_org, owner)
    risk = Risk(
        register=locked,
        category=category,
        title=title.strip(),
        cause=cause,
        consequence=consequence,
        owner=owner,
        owner_organization=owner_org,
        likelihood=likelihood,
        impact=impact,
        treatment=treatment,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        created_by=actor.user,
    )
    _rescore(risk)
    _schedule_review(risk, timezone.now())
    _full_clean(risk, exclude=["register", "owner_organization", "owner", "created_by", "template"])
    risk.save()
    if risk.owner_id is not None and risk.owner_id != actor.user.pk:
        notify(
            recipients=[risk.owner],
            event="risk.risk.assigned",
            title=notice(gettext_lazy("You own the risk %(risk)s"), {"risk": risk.title}),
            url=_risk_url(risk),
            actor=actor.user,
            data={"risk": risk.pk},
        )
    return risk


def _lock_risk(risk: Risk) -> Risk:
    return (
        Risk.objects.select_for_update(of=("self",))
        .select_related("register", "register__alliance", "register__project", "owner", "owner_organization")
        .get(pk=risk.pk)
    )


@transaction.atomic
def risk_update(*, actor: Actor, risk: Risk, **changes: Any) -> Risk:
    """Library staff adjust a risk (an adopted template, say). A worse level brings its next review forward."""
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    locked = _lock_risk(risk)
    require_keeper(actor, locked.register)
    _require_live(locked.register, _("risk register"))
    _require_live(locked, _("risk"))
    for name, value in changes.items():
        setattr(locked, name, value.strip() if name == "title" else value)
    _check_scale(
        likelihood=locked.likelihood,
        impact=locked.impact,
        residual_likelihood=locked.residual_likelihood,
        residual_impact=locked.residual_impact,
    )
    if "owner" in changes or "owner_organization" in changes:
        _check_owner(locked.register, locked.owner_organization, locked.owner)
    previous, previous_level = locked.residual_score, locked.residual_level
    _rescore(locked)
    _emit_level_change(locked, previous_level)
    if locked.residual_score != previous:
        sooner = timezone.now() + review_cadence(locked.residual_level)
        if sooner < locked.next_review_at:
            locked.next_review_at = locked.sweep_at = sooner
        _end_acceptance(locked, timezone.now())
    _full_clean(locked, exclude=["register", "owner_organization", "owner", "created_by", "template"])
    locked.save()
    return locked


@transaction.atomic
def risk_archive(*, actor: Actor, risk: Risk) -> Risk:
    """Library staff archive a risk recorded by mistake; it leaves the register's lists and the sweeps."""
    locked = _lock_risk(risk)
    require_keeper(actor, locked.register)
    _require_live(locked, _("risk"))
    locked.archived_at = timezone.now()
    locked.sweep_at = None
    locked.save(update_fields=["archived_at", "sweep_at", "updated_at"])
    return locked


# Statuses the keepers may set by hand; "accepted" is reached only through an acceptance.
MANUAL_STATUSES = (RiskStatus.OPEN, RiskStatus.TREATING, RiskStatus.REVIEW, RiskStatus.CLOSED)


@transaction.atomic
def risk_set_status(*, actor: Actor, risk: Risk, status: str) -> Risk:
    """Library staff move a risk by hand: close one that can no longer happen, reopen it, send it to review.

    Leaving "accepted" ends the acceptance in force; closing takes the risk out of the review sweeps and
    reopening schedules its next review by its residual level.
    """
    locked = _lock_risk(risk)
    require_keeper(actor, locked.register)
    _require_live(locked.register, _("risk register"))
    _require_live(locked, _("risk"))
    if status not in MANUAL_STATUSES:
        raise DomainError(
            _("A risk is accepted through an acceptance, not by setting its status."),
            fields={"status": [_("Choose open, being treated, back for review or closed.")]},
        )
    if status == locked.status:
        return locked
    now = timezone.now()
    was_closed = locked.status == RiskStatus.CLOSED
    Acceptance.objects.filter(risk=locked, ended_at__isnull=True).update(ended_at=now)
    locked.status = status
    if status == RiskStatus.CLOSED:
        locked.sweep_at = None
    elif status == RiskStatus.REVIEW:
        locked.next_review_at = locked.sweep_at = now
    elif was_closed:
        _schedule_review(locked, now)
    locked.save(update_fields=["status", "next_review_at", "sweep_at", "updated_at"])
    return locked


def _end_acceptance(risk: Risk, now: datetime) -> None:
    """A re-scored risk is no longer the one that was accepted: the acceptance stops holding."""
    ended = Acceptance.objects.filter(risk=risk, ended_at__isnull=True).update(ended_at=now)
    if ended and risk.status == RiskStatus.ACCEPTED:
        risk.status = RiskStatus.REVIEW


def _status_after_review(risk: Risk) -> str:
    if risk.status == RiskStatus.ACCEPTED:
        return str(RiskStatus.ACCEPTED)
    if Mitigation.objects.active().filter(risk=risk, done_at__isnull=True).exists():
        return str(RiskStatus.TREATING)
    return str(RiskStatus.OPEN)


def _may_review(actor: Actor, risk: Risk) -> bool:
    return actor.writes_for(risk.register.alliance.lead_library_id) or actor.writes_for(risk.owner_organization_id)


def _apply_review(
    risk: Risk,
    *,
    actor: Actor,
    now: datetime,
    likelihood: int,
    impact: int,
    residual_likelihood: int,
    residual_impact: int,
    notes: str,
    incident: Incident | None = None,
) -> Review:
    _check_scale(
        likelihood=likelihood, impact=impact, residual_likelihood=residual_likelihood, residual_impact=residual_impact
    )
    previous, previous_level = risk.residual_score, risk.residual_level
    risk.likelihood, risk.impact = likelihood, impact
    risk.residual_likelihood, risk.residual_impact = residual_likelihood, residual_impact
    _rescore(risk)
    _emit_level_change(risk, previous_level)
    if risk.residual_score != previous:
        _end_acceptance(risk, now)
    risk.status = _status_after_review(risk)
    risk.last_reviewed_at = now
    _schedule_review(risk, now)
    risk.save()
    return Review.objects.create(
        risk=risk,
        reviewed_by=actor.user,
        reviewed_at=now,
        likelihood=likelihood,
        impact=impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        residual_score=risk.residual_score,
        notes=notes,
        incident=incident,
    )


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    risk: Risk,
    likelihood: int,
    impact: int,
    residual_likelihood: int,
    residual_impact: int,
    notes: str = "",
    close: bool = False,
) -> Review:
    """The register's keepers or the risk's owner review it: new scores, notes, and the next review by level.

    ``close`` closes a risk that can no longer happen; it then leaves the sweeps.
    """
    locked = _lock_risk(risk)
    if not _may_review(actor, locked):
        raise NotAllowed(_("Only the register's keepers or the risk's owner review a risk."))
    _require_live(locked, _("risk"))
    if locked.status == RiskStatus.CLOSED:
        raise ConflictError(_("The risk is closed."))
    now = timezone.now()
    review = _apply_review(
        locked,
        actor=actor,
        now=now,
        likelihood=likelihood,
        impact=impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        notes=notes,
    )
    if close:
        _end_acceptance(locked, now)
        locked.status = RiskStatus.CLOSED
        locked.sweep_at = None
        locked.save(update_fields=["status", "sweep_at", "updated_at"])
    return review


# --- treatment -------------------------------------------------------------------------------------------------


@transaction.atomic
def mitigation_create(
    *,
    actor: Actor,
    risk: Risk,
    title: str,
    owner_organization: Organization,
    due_on: date,
    owner: Any = None,
    description: str = "",
) -> Mitigation:
    """Library staff plan an action against a risk and give it to an owner (often a partner)."""
    locked = _lock_risk(risk)
    require_keeper(actor, locked.register)
    _require_live(locked, _("risk"))
    if locked.status == RiskStatus.CLOSED:
        raise ConflictError(_("The risk is closed."))
    _check_owner(locked.register, owner_organization, owner)
    mitigation = Mitigation(
        risk=locked,
        title=title.strip(),
        description=description,
        owner=owner,
        owner_organization=owner_organization,
        due_on=due_on,
    )
    _full_clean(mitigation, exclude=["risk", "owner", "owner_organization"])
    mitigation.save()
    if locked.status in (RiskStatus.OPEN, RiskStatus.REVIEW):
        locked.status = RiskStatus.TREATING
        locked.save(update_fields=["status", "updated_at"])
    recipients = [owner] if owner is not None else organization_users({owner_organization.pk})
    notify(
        recipients=[u for u in recipients if u.pk != actor.user.pk],
        event="risk.mitigation.assigned",
        title=notice(
            gettext_lazy("Mitigation for %(risk)s due %(due)s: %(title)s"),
            {"risk": locked.title, "due": due_on.isoformat(), "title": mitigation.title},
        ),
        body=description,
        url=_risk_url(locked),
        actor=actor.user,
        data={"risk": locked.pk, "mitigation": mitigation.pk},
    )
    return mitigation


def _lock_mitigation(mitigation: Mitigation) -> Mitigation:
    return (
        Mitigation.objects.select_for_update(of=("self",))
        .select_related("risk", "risk__register", "risk__register__alliance")
        .get(pk=mitigation.pk)
    )


@transaction.atomic
def mitigation_update(
    *,
    actor: Actor,
    mitigation: Mitigation,
    progress: int | None = None,
    title: str | None = None,
    description: str | None = None,
    due_on: date | None = None,
) -> Mitigation:
    """The owner reports progress (100 marks it done); the register's keepers may also re-plan it."""
    locked = _lock_mitigation(mitigation)
    keeper = actor.writes_for(locked.risk.register.alliance.lead_library_id)
    if not (keeper or actor.writes_for(locked.owner_organization_id)):
        raise NotAllowed(_("Only the mitigation's owner or the register's keepers change it."))
    if not keeper and (title is not None or due_on is not None):
        raise NotAllowed(_("Only the register's keepers re-plan a mitigation; owners report progress."))
    _require_live(locked, _("mitigation"))
    if locked.done_at is not None:
        raise ConflictError(_("The mitigation is done."))
    if progress is not None:
        if not 0 <= progress <= 100:
            raise DomainError(_("Progress is a percentage."), fields={"progress": [_("0 to 100.")]})
        locked.progress = progress
        if progress == 100:
            locked.done_at = timezone.now()
    if title is not None:
        locked.title = title.strip()
    if description is not None:
        locked.description = description
    if due_on is not None:
        locked.due_on = due_on
    _full_clean(locked, exclude=["risk", "owner", "owner_organization"])
    locked.save()
    return locked


@transaction.atomic
def mitigation_archive(*, actor: Actor, mitigation: Mitigation) -> Mitigation:
    """The register's keepers drop a planned mitigation."""
    locked = _lock_mitigation(mitigation)
    require_keeper(actor, locked.risk.register)
    _require_live(locked, _("mitigation"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def emergency_plan_create(
    *, actor: Actor, risk: Risk, title: str, trigger_conditions: str, steps: str, contacts: str
) -> EmergencyPlan:
    """Library staff write down what to do should the risk happen."""
    locked = _lock_risk(risk)
    require_keeper(actor, locked.register)
    _require_live(locked, _("risk"))
    plan = EmergencyPlan(
        risk=locked, title=title.strip(), trigger_conditions=trigger_conditions, steps=steps, contacts=contacts
    )
    _full_clean(plan, exclude=["risk"])
    plan.save()
    return plan


@transaction.atomic
def emergency_plan_update(*, actor: Actor, plan: EmergencyPlan, **changes: Any) -> EmergencyPlan:
    locked = (
        EmergencyPlan.objects.select_for_update(of=("self",)).select_related("risk__register__alliance").get(pk=plan.pk)
    )
    require_keeper(actor, locked.risk.register)
    _require_live(locked, _("emergency plan"))
    for name in ("title", "trigger_conditions", "steps", "contacts"):
        if name in changes:
            setattr(locked, name, changes.pop(name))
    if changes:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(changes))})
    _full_clean(locked, exclude=["risk"])
    locked.save()
    return locked


@transaction.atomic
def drill_record(*, actor: Actor, plan: EmergencyPlan, held_on: date, outcome: str, participants: str = "") -> Drill:
    """The keepers, or the risk's owner, record a rehearsal of the plan."""
    locked = EmergencyPlan.objects.select_related("risk__register__alliance").get(pk=plan.pk)
    if not _may_review(actor, locked.risk):
        raise NotAllowed(_("Only the register's keepers or the risk's owner record drills."))
    _require_live(locked, _("emergency plan"))
    if held_on > timezone.localdate():
        raise DomainError(_("A drill is recorded after it was held."), fields={"held_on": [_("In the future.")]})
    return Drill.objects.create(
        plan=locked, held_on=held_on, outcome=outcome, participants=participants, recorded_by=actor.user
    )


# --- acceptance ---------------------------------------------------------------------------------------------------


def may_accept(actor: Actor, risk: Risk) -> bool:
    return bool(ACCEPT_AUTHORITY[RiskLevel(risk.residual_level)] & register_parties(actor, risk.register))


@transaction.atomic
def acceptance_give(*, actor: Actor, risk: Risk, rationale: str, expires_at: datetime) -> Acceptance:
    """An approver whose role may accept the risk's residual level accepts it until ``expires_at``."""
    locked = _lock_risk(risk)
    _require_live(locked, _("risk"))
    if not may_accept(actor, locked):
        who = ", ".join(str(AUTHORITY_LABELS[p]) for p in sorted(ACCEPT_AUTHORITY[RiskLevel(locked.residual_level)]))
        raise NotAllowed(
            _("A %(level)s residual risk may be accepted only by %(who)s.")
            % {"level": locked.get_residual_level_display().lower(), "who": who}
        )
    if locked.status == RiskStatus.CLOSED:
        raise ConflictError(_("The risk is closed."))
    now = timezone.now()
    if expires_at <= now:
        raise DomainError(_("An acceptance must expire in the future."), fields={"expires_at": [_("In the past.")]})
    if not rationale.strip():
        raise DomainError(_("Say why the risk is accepted."), fields={"rationale": [_("Required.")]})
    Acceptance.objects.filter(risk=locked, ended_at__isnull=True).update(ended_at=now)
    acceptance = Acceptance.objects.create(
        risk=locked,
        approver=actor.user,
        approver_organization=actor.organization,
        residual_score=locked.residual_score,
        residual_level=locked.residual_level,
        rationale=rationale.strip(),
        accepted_at=now,
        expires_at=expires_at,
    )
    locked.status = RiskStatus.ACCEPTED
    locked.save(update_fields=["status", "updated_at"])
    notify(
        recipients=[u for u in _owners(locked) if u.pk != actor.user.pk],
        event="risk.risk.accepted",
        title=notice(
            gettext_lazy("%(risk)s accepted until %(until)s"),
            {"risk": locked.title, "until": timezone.localdate(expires_at).isoformat()},
        ),
        body=acceptance.rationale,
        url=_risk_url(locked),
        actor=actor.user,
        data={"risk": locked.pk, "acceptance": acceptance.pk},
    )
    return acceptance


def acceptances_expire(*, now: datetime | None = None, limit: int = 100) -> int:
    """Lapsed acceptances send their risks back to review at once (idempotent: an ended one is not claimed)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = claim_due(Acceptance.objects.filter(ended_at__isnull=True), now=now, limit=limit, field="expires_at")
        for acceptance in due:
            acceptance.ended_at = now
            acceptance.save(update_fields=["ended_at", "updated_at"])
            risk = _lock_risk(acceptance.risk)
            if risk.archived_at is not None or risk.status == RiskStatus.CLOSED:
                continue
            risk.status = RiskStatus.REVIEW
            risk.next_review_at = risk.sweep_at = now
            risk.save(update_fields=["status", "next_review_at", "sweep_at", "updated_at"])
            notify(
                recipients=_owners(risk),
                event="risk.acceptance.expired",
                title=notice(gettext_lazy("Acceptance of %(risk)s expired: review it"), {"risk": risk.title}),
                url=_risk_url(risk),
                data={"risk": risk.pk, "acceptance": acceptance.pk},
            )
    return len(due)


# --- the review sweeper -----------------------------------------------------------------------------------------


def _record_reminders(rows: list[Risk], now: datetime) -> set[tuple[int, str]]:
    """Record the due reminder or overdue escalation owed for each risk's current period, in one statement.

    Returns the (risk, level) pairs that were new: a pair recorded before (a re-run, a second beat) is not
    returned, so its notification is not sent again.
    """
    records = [
        {
            "risk": row.pk,
            "period": row.next_review_at,
            "level": ReminderLevel.DUE if now < row.next_review_at + ESCALATE_AFTER else ReminderLevel.OVERDUE,
            "sent_at": now,
        }
        for row in rows
    ]
    return {(risk_id, level) for risk_id, level in insert_once(ReviewReminder, records, ["risk", "level"])}


def reviews_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Claim risks whose sweep time has come (SKIP LOCKED) and remind or escalate each, once per period.

    Set-based: one claim, one INSERT .. ON CONFLICT DO NOTHING RETURNING into the once-per-period reminders,
    one UPDATE of the next sweep times, one query for the people to tell and ``notify_many()`` (a few more),
    whatever the number of due risks. A reminder is due until the review is ESCALATE_AFTER late; after that
    the owners and the lead library's managers are told it is overdue, and the sweeper waits for a review.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = claim_due(
            Risk.objects.filter(archived_at__isnull=True, register__archived_at__isnull=True)
            .exclude(status=RiskStatus.CLOSED)
            .annotate(lead_library_id=F("register__alliance__lead_library_id"))
            .only("id", "title", "next_review_at", "residual_level", "owner", "owner_organization"),
            now=now,
            limit=limit,
            field="sweep_at",
        )
        if not rows:
            return 0
        new = _record_reminders(rows, now)
        Risk.objects.filter(pk__in=[r.pk for r in rows]).update(
            sweep_at=Case(
                When(next_review_at__gt=now - ESCALATE_AFTER, then=F("next_review_at") + ESCALATE_AFTER),
                default=None,
                output_field=DateTimeField(),
            )
        )
        told = [r for r in rows if (r.pk, ReminderLevel.DUE) in new or (r.pk, ReminderLevel.OVERDUE) in new]
        if told:
            owners = {u.pk: u for u in get_user_model().objects.filter(pk__in={r.owner_id for r in told if r.owner_id})}
            everyone, managers = organization_people(
                {r.owner_organization_id for r in told if not r.owner_id}
                | {r.lead_library_id for r in told if (r.pk, ReminderLevel.OVERDUE) in new}  # type: ignore[attr-defined]
            )
            notices = []
            for r in told:
                recipients = [owners[r.owner_id]] if r.owner_id in owners else everyone.get(r.owner_organization_id, [])
                data = {"risk": r.pk, "due": r.next_review_at.isoformat()}
                if (r.pk, ReminderLevel.DUE) in new:
                    title = notice(gettext_lazy("Review the risk %(risk)s"), {"risk": r.title})
                    notices.append(Notice(recipients, "risk.review.due", title, url=_risk_url(r), data=data))
                else:
                    title = notice(
                        gettext_lazy("Overdue risk review: %(risk)s (%(level)s)"),
                        {"risk": r.title, "level": RiskLevel(r.residual_level).label},
                    )
                    recipients = [*recipients, *managers.get(r.lead_library_id, [])]  # type: ignore[attr-defined]
                    notices.append(Notice(recipients, "risk.review.overdue", title, url=_risk_url(r), data=data))
            notify_many(notices)
    return len(rows)


# --- incidents ---------------------------------------------------------------------------------------------------


@transaction.atomic
def incident_record(
    *,
    actor: Actor,
    register: RiskRegister,
    title: str,
    occurred_at: datetime,
    what_happened: str,
    impact: str,
    response: str,
    lessons: str = "",
    rescores: list[dict[str, Any]] | None = None,
) -> Incident:
    """Record a risk that happened; each linked risk is re-scored by a review that cites the incident.

    ``rescores``: ``[{"risk": Risk, "likelihood": 4, "impact": 5, "residual_likelihood": .., "residual_impact": ..}]``.
    The register's keepers record incidents, and so does a project's provider (it often sees them first).
    """
    locked = (
        RiskRegister.objects.select_for_update(of=("self",)).select_related("alliance", "project").get(pk=register.pk)
    )
    if not register_parties(actor, locked) & {LEAD, PROVIDER}:
        raise NotAllowed(_("Only the register's keepers or the project's provider record incidents."))
    _require_live(locked, _("risk register"))
    if occurred_at > timezone.now():
        raise DomainError(_("An incident is recorded after it happened."), fields={"occurred_at": [_("Future.")]})
    incident = Incident(
        register=locked,
        title=title.strip(),
        occurred_at=occurred_at,
        what_happened=what_happened,
        impact=impact,
        response=response,
        lessons=lessons,
        reported_by=actor.user,
    )
    _full_clean(incident, exclude=["register", "reported_by"])
    incident.save()
    now = timezone.now()
    for item in rescores or []:
        risk = _lock_risk(item["risk"])
        if risk.register_id != locked.pk:
            raise DomainError(_("Linked risks must belong to the incident's register."), fields={"rescores": [""]})
        _require_live(risk, _("risk"))
        if risk.status == RiskStatus.CLOSED:
            risk.status = RiskStatus.REVIEW  # it happened after all: back on the register
        _apply_review(
            risk,
            actor=actor,
            now=now,
            likelihood=item["likelihood"],
            impact=item["impact"],
            residual_likelihood=item.get("residual_likelihood") or item["likelihood"],
            residual_impact=item.get("residual_impact") or item["impact"],
            notes=item.get("notes") or _("Re-scored after the incident: %(title)s") % {"title": incident.title},
            incident=incident,
        )
    notify(
        recipients=[
            u
            for u in _managers({locked.alliance.lead_library_id, *_party_organization_ids(locked)})
            if u.pk != actor.user.pk
        ],
        event="risk.incident.recorded",
        title=notice(gettext_lazy("Incident in %(register)s: %(title)s"), {"register": locked.title, "title": title}),
        body=impact,
        url=url_or_blank("risk:register-detail", locked.pk),
        actor=actor.user,
        data={"register": locked.pk, "incident": incident.pk},
    )
    return incident


# --- pre-assessment ----------------------------------------------------------------------------------------------


def _provider_of(project: Project) -> ProjectParticipant | None:
    return (
        ProjectParticipant.objects.active()
        .filter(project=project, role=ParticipantRole.PROVIDER)
        .select_related("organization")
        .first()
    )


def preassessment_provider(project: Project) -> ProjectParticipant | None:
    """The project's provider, who signs its pre-assessment for the provider's side."""
    return _provider_of(project)


def _lock_assessment(assessment: PreAssessment) -> PreAssessment:
    return (
        PreAssessment.objects.select_for_update(of=("self",))
        .select_related("project", "project__alliance")
        .get(pk=assessment.pk)
    )


@transaction.atomic
def preassessment_start(*, actor: Actor, project: Project, summary: str = "") -> PreAssessment:
    """Library staff open the project's risk pre-assessment (one at a time)."""
    if LEAD not in project_parties(actor, project):
        raise NotAllowed(_("Only staff of the alliance's lead library start a pre-assessment."))
    _require_live(project, _("project"))
    if project.status not in (ProjectStatus.DRAFT, ProjectStatus.NEEDS_ANALYSIS, ProjectStatus.SEEKING_PARTNERS):
        raise ConflictError(_("A pre-assessment is made before the project enters development."))
    try:
        with transaction.atomic():
            return PreAssessment.objects.create(project=project, summary=summary, created_by=actor.user)
    except IntegrityError as exc:
        raise ConflictError(_("The project already has a pre-assessment.")) from exc


def _clear_signatures(assessment: PreAssessment) -> None:
    assessment.status = PreAssessmentStatus.DRAFT
    assessment.library_signed_by = assessment.provider_signed_by = None
    assessment.library_signed_at = assessment.provider_signed_at = assessment.completed_at = None
    assessment.provider = None


@transaction.atomic
def preassessment_assess(
    *, actor: Actor, assessment: PreAssessment, category: str, finding: str, likelihood: int, impact: int
) -> PreAssessmentItem:
    """The library or the provider judges one category; a change after signing voids the signatures."""
    locked = _lock_assessment(assessment)
    if not project_parties(actor, locked.project) & {LEAD, PROVIDER}:
        raise NotAllowed(_("Only the library's staff or the project's provider assess its risks."))
    _require_live(locked, _("pre-assessment"))
    if category not in RiskCategory.values:
        raise DomainError(_("Unknown category."), fields={"category": [_("Unknown.")]})
    _check_scale(likelihood=likelihood, impact=impact)
    if not finding.strip():
        raise DomainError(_("Write down the finding."), fields={"finding": [_("Required.")]})
    item, _created = PreAssessmentItem.objects.update_or_create(
        assessment=locked,
        category=category,
        defaults={"finding": finding.strip(), "likelihood": likelihood, "impact": impact, "assessed_by": actor.user},
    )
    if locked.library_signed_at or locked.provider_signed_at:
        _clear_signatures(locked)
        locked.save()
    return item


def preassessment_missing_categories(assessment: PreAssessment) -> list[str]:
    covered = set(assessment.items.values_list("category", flat=True))
    return [str(label) for value, label in RiskCategory.choices if value not in covered]


@transaction.atomic
def preassessment_sign(*, actor: Actor, assessment: PreAssessment, side: str) -> PreAssessment:
    """A library manager (side ``library``) or the provider's manager (``provider``) signs a complete assessment."""
    locked = _lock_assessment(assessment)
    _require_live(locked, _("pre-assessment"))
    missing = preassessment_missing_categories(locked)
    if missing:
        raise ConflictError(
            _("Categories not yet assessed: %(c)s.") % {"c": ", ".join(missing)}, code="preassessment_incomplete"
        )
    now = timezone.now()
    if side == "library":
        if not actor.manages(locked.project.alliance.lead_library_id):
            raise NotAllowed(_("Only managers of the alliance's lead library sign for the library."))
        locked.library_signed_by, locked.library_signed_at = actor.user, now
    elif side == "provider":
        provider = _provider_of(locked.project)
        if provider is None:
            raise ConflictError(_("The project has no provider to sign yet."))
        if not actor.manages(provider.organization_id):
            raise NotAllowed(_("Only managers of the project's provider sign for the provider."))
        locked.provider, locked.provider_signed_by, locked.provider_signed_at = provider.organization, actor.user, now
    else:
        raise DomainError(_("Sign as the library or as the provider."), fields={"side": [_("Unknown side.")]})
    if locked.library_signed_at and locked.provider_signed_at:
        locked.status = PreAssessmentStatus.COMPLETED
        locked.completed_at = now
    locked.save()
    if locked.status == PreAssessmentStatus.COMPLETED:
        notify(
            recipients=[u for u in _managers({locked.project.alliance.lead_library_id}) if u.pk != actor.user.pk],
            event="risk.preassessment.completed",
            title=notice(gettext_lazy("Risk pre-assessment of %(project)s signed"), {"project": locked.project.title}),
            url=url_or_blank("alliance:project-detail", locked.project_id),
            actor=actor.user,
            data={"project": locked.project_id, "preassessment": locked.pk},
        )
    return locked


def preassessment_check(project: Project) -> str | None:
    """The alliance cycle's development guard: None when a completed pre-assessment is signed by both sides.

    The message names what is missing: the categories not assessed and the signatures not given. A
    signature by a provider that no longer provides the project does not count.
    """
    assessment = PreAssessment.objects.active().filter(project=project).order_by("-created_at").first()
    if assessment is None:
        return _("risk pre-assessment missing")
    missing: list[str] = []
    categories = preassessment_missing_categories(assessment)
    if categories:
        missing.append(_("categories not assessed: %(c)s") % {"c": ", ".join(categories)})
    if assessment.library_signed_at is None:
        missing.append(_("library signature missing"))
    provider = _provider_of(project)
    if assessment.provider_signed_at is None or provider is None or assessment.provider_id != provider.organization_id:
        missing.append(_("provider signature missing"))
    if not missing:
        return None
    return _("risk pre-assessment incomplete (%(missing)s)") % {"missing": "; ".join(missing)}
