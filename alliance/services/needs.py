"""The library states its needs, backs them with evidence and analyses them before seeking partners."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ConflictError, DomainError, NotAllowed
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization

from ..choices import EvidenceKind, NeedStatus
from ..models import Alliance, AllianceMember, Need, NeedEvidence
from ._common import full_clean, require_active

NEED_FIELDS = ("title", "description", "keywords", "category", "priority", "analysis")


def _require_library_staff(actor: Actor, library_id: int) -> None:
    if not actor.writes_for(library_id):
        raise NotAllowed(_("Only the library's staff may record its needs."))


@transaction.atomic
def need_create(
    *,
    actor: Actor,
    library: Organization,
    title: str,
    category: str,
    description: str = "",
    keywords: str = "",
    priority: str = "medium",
    alliance: Alliance | None = None,
) -> Need:
    """Record a need of a library; with an alliance, the alliance's members can see it too."""
    if library.kind != OrganizationKind.LIBRARY:
        raise DomainError(_("Needs belong to a library."))
    _require_library_staff(actor, library.pk)
    if alliance is not None:
        require_active(alliance, _("alliance"))
        if not AllianceMember.objects.active().filter(alliance=alliance, organization=library).exists():
            raise DomainError(_("The library is not a member of this alliance."))
    need = Need(
        library=library,
        alliance=alliance,
        title=title.strip(),
        description=description,
        keywords=keywords,
        category=category,
        priority=priority,
        created_by=actor.user,
    )
    full_clean(need)
    need.save()
    return need


@transaction.atomic
def need_update(*, actor: Actor, need: Need, **data: Any) -> Need:
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    _require_library_staff(actor, locked.library_id)
    require_active(locked, _("need"))
    for key, value in data.items():
        if key in NEED_FIELDS:
            setattr(locked, key, value)
    full_clean(locked)
    locked.save()
    return locked


@transaction.atomic
def need_add_evidence(
    *, actor: Actor, need: Need, kind: str, summary: str, reference_id: str = "", reference_url: str = ""
) -> NeedEvidence:
    """Attach evidence: reader feedback (the feedback app passes its id), a survey, an observation or a statistic."""
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    _require_library_staff(actor, locked.library_id)
    require_active(locked, _("need"))
    if kind not in EvidenceKind.values:
        raise DomainError(_("Unknown kind of evidence."), fields={"kind": [_("Unknown kind.")]})
    evidence = NeedEvidence(
        need=locked,
        kind=kind,
        summary=summary.strip(),
        reference_id=reference_id,
        reference_url=reference_url,
        recorded_by=actor.user,
    )
    full_clean(evidence)
    evidence.save()
    return evidence


@transaction.atomic
def need_analyse(*, actor: Actor, need: Need, analysis: str) -> Need:
    """The library concludes from the evidence; only an analysed need lets a project seek partners."""
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    _require_library_staff(actor, locked.library_id)
    require_active(locked, _("need"))
    if locked.status != NeedStatus.OPEN:
        raise ConflictError(_("Only an open need can be analysed."))
    if not locked.evidence.filter(archived_at__isnull=True).exists():
        raise ConflictError(_("Cannot analyse a need without evidence: add reader feedback, a survey, an observation or a statistic first."))  # fmt: skip
    if not analysis.strip():
        raise DomainError(_("Write down the analysis."), fields={"analysis": [_("This field is required.")]})
    locked.analysis = analysis.strip()
    locked.status = NeedStatus.ANALYSED
    locked.analysed_at = timezone.now()
    locked.save(update_fields=["analysis", "status", "analysed_at", "updated_at"])
    return locked


@transaction.atomic
def need_drop(*, actor: Actor, need: Need, reason: str = "") -> Need:
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    _require_library_staff(actor, locked.library_id)
    if locked.status in (NeedStatus.MET, NeedStatus.DROPPED):
        raise ConflictError(_("The need is already %(status)s.") % {"status": locked.get_status_display()})
    locked.status = NeedStatus.DROPPED
    locked.analysed_at = locked.analysed_at or timezone.now()
    if reason:
        locked.analysis = f"{locked.analysis}\n{reason}".strip()
    locked.save(update_fields=["status", "analysed_at", "analysis", "updated_at"])
    return locked


@transaction.atomic
def need_archive(*, actor: Actor, need: Need) -> Need:
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    _require_library_staff(actor, locked.library_id)
    require_active(locked, _("need"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def need_evidence_archive(*, actor: Actor, evidence: NeedEvidence) -> NeedEvidence:
    """Withdraw a piece of evidence recorded by mistake (the history keeps it)."""
    locked = NeedEvidence.objects.select_for_update(of=("self",)).select_related("need").get(pk=evidence.pk)
    _require_library_staff(actor, locked.need.library_id)
    require_active(locked, _("evidence"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked
