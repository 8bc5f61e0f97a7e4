"""The co-construction cycle: every project status, every allowed transition, its guards and its actors.

The paper's loop — the library analyses reader needs and its own gaps, seeks partners, the
enterprise develops and delivers, readers try it, deviations go back to the provider for
correction, and round again until accepted — is the table ``TRANSITIONS`` below. Nothing else
writes ``Project.status``: ``project_transition`` locks the row, checks the actor and the guards,
writes the status and a ``Transition`` record in one transaction, and notifies the parties.

A guard is a function of the locked project returning ``None`` when it holds, or a sentence saying
what is missing; a refused transition raises ``ConflictError`` listing every failing guard.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pghistory
from django.db import transaction
from django.db.models import Avg, Count, Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind

from . import hooks
from .choices import CorrectionStatus, NeedStatus, ParticipantRole, ProjectStatus, Severity, TrialStatus
from .models import (
    CorrectionRequest,
    DeliverableVersion,
    Project,
    ProjectParticipant,
    Signoff,
    Transition,
    Trial,
)
from .parties import (
    ASSISTANT,
    GOVERNMENT,
    LEAD,
    LEAD_MANAGER,
    PROVIDER,
    notice,
    project_organization_ids,
    project_parties,
    project_recipients,
    url_or_blank,
)
from .results import OPEN_CORRECTION_STATUSES, judge, open_deviation_count, round_mean

S = ProjectStatus
Guard = Callable[[Project], str | None]


# --- guards -------------------------------------------------------------------------------------------


def has_analysed_need(project: Project) -> str | None:
    if project.needs.filter(status__in=(NeedStatus.ANALYSED, NeedStatus.MET), archived_at__isnull=True).exists():
        return None
    return _("no analysed need: link a need whose evidence the library has analysed")


def _participants(project: Project, role: str) -> Any:
    return ProjectParticipant.objects.active().filter(project=project, role=role)


def has_provider(project: Project) -> str | None:
    return None if _participants(project, ParticipantRole.PROVIDER).exists() else _("no provider (enterprise)")


def has_assistant(project: Project) -> str | None:
    if _participants(project, ParticipantRole.ASSISTANT).exists():
        return None
    return _("no assistant (university or research institute)")


def contract_signed(project: Project) -> str | None:
    return hooks.run(hooks.CONTRACT_SIGNED, project)


def risk_preassessed(project: Project) -> str | None:
    return hooks.run(hooks.RISK_PREASSESSED, project)


def _entered(project: Project, status: str) -> Any:
    """When the project last entered `status` (None if never)."""
    return project.transitions.filter(to_status=status).aggregate(at=Max("at"))["at"]


def has_new_version(project: Project) -> str | None:
    """Delivery needs a version uploaded since development (re)started: each round ships something new."""
    since = _entered(project, S.IN_DEVELOPMENT)
    versions = DeliverableVersion.objects.active().filter(
        deliverable__project=project, deliverable__archived_at__isnull=True
    )
    if since is not None:
        versions = versions.filter(created_at__gte=since)
    return None if versions.exists() else _("no deliverable version uploaded in this round")


def _open_trial(project: Project) -> Trial | None:
    return (
        Trial.objects.active()
        .filter(project=project, status__in=(TrialStatus.PLANNED, TrialStatus.RUNNING))
        .select_related("version")
        .first()
    )


def has_trial_plan(project: Project) -> str | None:
    trial = _open_trial(project)
    if trial is None or trial.status != TrialStatus.PLANNED:
        return _("no trial plan for the delivered version")
    if not trial.invitations.exists():
        return _("no readers invited to the trial")
    return None


def has_open_correction(project: Project) -> str | None:
    exists = CorrectionRequest.objects.active().filter(project=project, status=CorrectionStatus.OPEN).exists()
    return None if exists else _("no open correction request for the provider")


def corrections_answered(project: Project) -> str | None:
    count = CorrectionRequest.objects.active().filter(project=project, status=CorrectionStatus.OPEN).count()
    if not count:
        return None
    return _("%(count)d correction requests not yet answered by the provider") % {"count": count}


def trial_meets_criteria(project: Project) -> str | None:
    trial = _open_trial(project)
    if trial is None or trial.status != TrialStatus.RUNNING:
        return _("no running trial")
    stats = trial.responses.aggregate(mean=Avg("satisfaction"), count=Count("id"))
    meets, shortfalls = judge(
        trial,
        response_count=stats["count"],
        mean=round_mean(stats["mean"]),
        open_deviations=open_deviation_count(project.pk),
    )
    return None if meets else _("trial does not meet its acceptance criteria: %(why)s") % {"why": "; ".join(shortfalls)}


def no_critical_correction_open(project: Project) -> str | None:
    critical = CorrectionRequest.objects.active().filter(
        project=project, severity=Severity.CRITICAL, status__in=OPEN_CORRECTION_STATUSES
    )
    return _("a critical correction request is still open") if critical.exists() else None


def signed_off(project: Project) -> str | None:
    """The library signs the running trial's outcome, and so does every government body funding the project."""
    trial = _open_trial(project)
    if trial is None:
        return _("no running trial to sign off")
    signed = set(Signoff.objects.filter(trial=trial).values_list("organization_id", flat=True))
    missing = []
    if project.alliance.lead_library_id not in signed:
        missing.append(_("sign-off by the library missing"))
    funders = (
        _participants(project, ParticipantRole.FUNDER)
        .filter(organization__kind=OrganizationKind.GOVERNMENT)
        .select_related("organization")
    )
    for funder in funders:
        if funder.organization_id not in signed:
            missing.append(_("sign-off by the funder %(org)s missing") % {"org": funder.organization.name_zh})
    return "; ".join(missing) or None


# --- the table ----------------------------------------------------------------------------------------

ACTIVE = (
    S.DRAFT, S.NEEDS_ANALYSIS, S.SEEKING_PARTNERS, S.IN_DEVELOPMENT, S.DELIVERED, S.IN_TRIAL, S.CORRECTING, S.ACCEPTED,
)  # fmt: skip
TERMINAL = (S.CLOSED, S.CANCELLED)


@dataclass(frozen=True)
class Rule:
    """One allowed move: from which statuses, to which (None: back to where it was suspended from), by whom."""

    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str | None
    actors: frozenset[str]
    guards: tuple[Guard, ...] = ()


TRANSITIONS: tuple[Rule, ...] = (
    Rule("start_analysis", gettext_lazy("Start needs analysis"), (S.DRAFT,), S.NEEDS_ANALYSIS, frozenset({LEAD})),
    Rule("seek_partners", gettext_lazy("Seek partners"), (S.NEEDS_ANALYSIS,), S.SEEKING_PARTNERS,
         frozenset({LEAD}), (has_analysed_need,)),
    Rule("start_development", gettext_lazy("Start development"), (S.SEEKING_PARTNERS,), S.IN_DEVELOPMENT,
         frozenset({LEAD_MANAGER}), (has_provider, has_assistant, contract_signed, risk_preassessed)),
    Rule("deliver", gettext_lazy("Deliver"), (S.IN_DEVELOPMENT,), S.DELIVERED, frozenset({PROVIDER}),
         (has_new_version,)),
    Rule("start_trial", gettext_lazy("Start reader trial"), (S.DELIVERED,), S.IN_TRIAL, frozenset({LEAD}),
         (has_trial_plan,)),
    Rule("request_corrections", gettext_lazy("Send deviations for correction"), (S.IN_TRIAL,), S.CORRECTING,
         frozenset({LEAD}), (has_open_correction,)),
    Rule("resume_development", gettext_lazy("Correct in development"), (S.CORRECTING,), S.IN_DEVELOPMENT,
         frozenset({PROVIDER, LEAD}), (corrections_answered,)),
    Rule("accept", gettext_lazy("Accept"), (S.IN_TRIAL,), S.ACCEPTED, frozenset({LEAD_MANAGER}),
         (trial_meets_criteria, no_critical_correction_open, signed_off)),
    Rule("close", gettext_lazy("Close"), (S.ACCEPTED,), S.CLOSED, frozenset({LEAD_MANAGER})),
    Rule("suspend", gettext_lazy("Suspend"), ACTIVE[:-1], S.SUSPENDED, frozenset({LEAD_MANAGER, GOVERNMENT})),
    Rule("resume", gettext_lazy("Resume"), (S.SUSPENDED,), None, frozenset({LEAD_MANAGER, GOVERNMENT})),
    Rule("cancel", gettext_lazy("Cancel"), (*ACTIVE[:-1], S.SUSPENDED), S.CANCELLED, frozenset({LEAD_MANAGER})),
)  # fmt: skip

RULES: dict[str, Rule] = {rule.name: rule for rule in TRANSITIONS}

PARTY_LABELS = {
    LEAD: gettext_lazy("library staff"),
    LEAD_MANAGER: gettext_lazy("library managers"),
    PROVIDER: gettext_lazy("the provider"),
    ASSISTANT: gettext_lazy("an assistant"),
    GOVERNMENT: gettext_lazy("the guiding or funding government body"),
}


@dataclass(frozen=True)
class Option:
    """A transition as seen by one actor on one project: may they, and would the guards let it through?"""

    name: str
    label: str
    target: str
    permitted: bool
    failures: list[str]

    @property
    def possible(self) -> bool:
        return self.permitted and not self.failures


def _target(rule: Rule, project: Project) -> str:
    return rule.target if rule.target is not None else project.suspended_from


def _check_actor(rule: Rule, parties: set[str]) -> None:
    if not rule.actors & parties:
        who = ", ".join(str(PARTY_LABELS[a]) for a in sorted(rule.actors))
        raise NotAllowed(_("Only %(who)s may do this: %(what)s.") % {"who": who, "what": rule.label})


def failing_guards(rule: Rule, project: Project) -> list[str]:
    return [failure for guard in rule.guards if (failure := guard(project))]


def available_transitions(actor: Actor, project: Project, parties: set[str] | None = None) -> list[Option]:
    """The transitions out of the project's current status, with whether this actor may take each and why not.

    ``parties``: the actor's parties in the project when the caller has already asked (two queries saved)."""
    if parties is None:
        parties = project_parties(actor, project)
    options = []
    for rule in TRANSITIONS:
        if project.status not in rule.sources:
            continue
        options.append(
            Option(
                name=rule.name,
                label=str(rule.label),
                target=_target(rule, project),
                permitted=bool(rule.actors & parties),
                failures=failing_guards(rule, project),
            )
        )
    return options


@transaction.atomic
def project_transition(*, actor: Actor, project: Project, name: str, note: str = "") -> Project:
    """Move a project by the named transition, or refuse: ``NotAllowed`` (403) for the wrong actor,
    ``ConflictError`` (409) from the wrong status or with every failing guard named, ``DomainError`` for an unknown name.

    The caller has already found the project through a scoped selector (404 for what the actor cannot see).
    """
    rule = RULES.get(name)
    if rule is None:
        raise DomainError(_("Unknown transition: %(name)s.") % {"name": name}, code="unknown_transition")
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    if locked.is_archived:
        raise ConflictError(_("An archived project cannot move."))
    if locked.status not in rule.sources:
        raise ConflictError(
            _("A project that is %(status)s cannot %(what)s.")
            % {"status": locked.get_status_display(), "what": str(rule.label).lower()}
        )
    _check_actor(rule, project_parties(actor, locked))
    failures = failing_guards(rule, locked)
    if failures:
        raise ConflictError(
            _("Cannot %(what)s: %(why)s.") % {"what": str(rule.label).lower(), "why": "; ".join(failures)},
            code="guard_failed",
        )
    source = locked.status
    target = _target(rule, locked)
    now = timezone.now()
    # The note is the reason the history shows next to every row this transition writes.
    with pghistory.context(reason=note) if note else contextlib.nullcontext():
        _apply(actor, locked, rule, source, target, note, now)
    notify(
        recipients=[u for u in project_recipients(locked) if not actor.is_authenticated or u.pk != actor.user.pk],
        event=f"alliance.project.{rule.name}",
        title=notice(
            gettext_lazy("%(project)s: %(from)s → %(to)s"),
            {"project": locked.title, "from": S(source).label, "to": S(target).label},
        ),
        body=note,
        url=url_or_blank("alliance:project-detail", locked.pk),
        actor=actor.user if actor.is_authenticated else None,
        data={"project": locked.pk, "transition": rule.name, "from": source, "to": target},
    )
    events.emit(
        events.PROJECT_TRANSITIONED,
        obj=locked,
        organization_ids=project_organization_ids(locked),
        data={
            "project": locked.pk,
            "alliance": locked.alliance_id,
            "transition": rule.name,
            "from": source,
            "to": target,
        },
    )
    project.status = locked.status
    project.suspended_from = locked.suspended_from
    project.status_changed_at = now
    return locked


def _apply(actor: Actor, locked: Project, rule: Rule, source: str, target: str, note: str, now: Any) -> None:
    """The writes of one transition: side effects on trials and needs, the status, and its record."""
    _on_leave(locked, source, target, now)
    locked.status = target
    locked.suspended_from = source if target == S.SUSPENDED else ""
    locked.status_changed_at = now
    locked.save(update_fields=["status", "suspended_from", "status_changed_at", "updated_at"])
    _on_enter(locked, target, now)
    Transition.objects.create(
        project=locked,
        name=rule.name,
        from_status=source,
        to_status=target,
        actor=actor.user if actor.is_authenticated else None,
        organization=actor.organization,
        note=note,
        at=now,
    )


def _close_trial(project: Project, now: Any) -> None:
    trial = _open_trial(project)
    if trial is None or trial.status != TrialStatus.RUNNING:
        return
    stats = trial.responses.aggregate(mean=Avg("satisfaction"), count=Count("id"))
    open_now = open_deviation_count(project.pk)
    meets, _shortfalls = judge(
        trial, response_count=stats["count"], mean=round_mean(stats["mean"]), open_deviations=open_now
    )
    trial.status = TrialStatus.CLOSED
    trial.closed_at = now
    trial.open_deviations_at_close = open_now
    trial.met_criteria = meets
    trial.save(update_fields=["status", "closed_at", "open_deviations_at_close", "met_criteria", "updated_at"])


def _on_leave(project: Project, source: str, target: str, now: Any) -> None:
    # A trial round ends when the project leaves the trial for corrections or acceptance;
    # a suspension only pauses it.
    if source == S.IN_TRIAL and target in (S.CORRECTING, S.ACCEPTED, S.CANCELLED):
        _close_trial(project, now)
    if target == S.CANCELLED:
        Trial.objects.active().filter(project=project, status=TrialStatus.PLANNED).update(
            status=TrialStatus.CLOSED, closed_at=now
        )


def _on_enter(project: Project, target: str, now: Any) -> None:
    if target == S.IN_TRIAL:
        Trial.objects.filter(project=project, status=TrialStatus.PLANNED, archived_at__isnull=True).update(
            status=TrialStatus.RUNNING, started_at=now, updated_at=now
        )
    if target == S.ACCEPTED:
        project.needs.filter(status=NeedStatus.ANALYSED).update(status=NeedStatus.MET, updated_at=now)
