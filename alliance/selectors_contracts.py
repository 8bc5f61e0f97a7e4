"""Scoped reads of contracts and IP assets, and partner credibility computed from the record.

Who sees what:
- contracts: the people of its parties, of the alliance's lead library and of the alliance's guiding or
  funding government (django-guardian ``view_contract``, kept by ``services.contracts.sync_contract_access``).
- IP assets: whoever sees the project.
- credibility from the record: everyone signed in (it is what the foundation's assessments stand beside).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.permissions import restrict
from stakeholders.access import Actor
from stakeholders.models import Organization

from .choices import ParticipantRole
from .models import (
    Alliance,
    AllianceMember,
    Contract,
    ContractDocument,
    ContractParty,
    CorrectionRequest,
    DeliverableVersion,
    IPAsset,
    IPShare,
    Milestone,
    Project,
    TrialResponse,
)
from .models.contracts import ContractStatus
from .selectors import visible_projects

VIEW_CONTRACT = "view_contract"


def visible_contracts(actor: Actor) -> QuerySet[Contract]:
    if not actor.is_authenticated:
        return Contract.objects.none()
    if actor.is_superuser:
        return Contract.objects.all()
    return restrict(Contract.objects.all(), actor, VIEW_CONTRACT)


def contract_list_for(
    actor: Actor,
    *,
    project: Project | None = None,
    organization_id: int | None = None,
    include_archived: bool = False,
) -> QuerySet[Contract]:
    """Contracts the actor may see, with alliance, project, parties (with organisation and signer) and documents."""
    qs = visible_contracts(actor).select_related("alliance", "alliance__lead_library", "project", "breached_by")
    if project is not None:
        qs = qs.filter(project=project)
    if organization_id is not None:
        qs = qs.filter(parties__organization_id=organization_id)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    parties = ContractParty.objects.select_related("organization", "signed_by").order_by("id")
    documents = ContractDocument.objects.active().select_related("uploaded_by").order_by("created_at", "id")
    return qs.prefetch_related(
        Prefetch("parties", queryset=parties, to_attr="party_list"),
        Prefetch("documents", queryset=documents, to_attr="document_list"),
    ).order_by("-created_at", "-id")


def ip_asset_list_for(actor: Actor, *, project: Project | None = None) -> QuerySet[IPAsset]:
    """IP assets of the projects the actor sees, with their owners' shares."""
    qs = (
        IPAsset.objects.filter(project__in=visible_projects(actor))
        .select_related("project", "deliverable")
        .prefetch_related(
            Prefetch("shares", queryset=IPShare.objects.select_related("organization"), to_attr="share_list")
        )
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("project_id", "deliverable_id", "id")


def ip_assets_by_deliverable(actor: Actor, project: Project) -> dict[int | None, list[IPAsset]]:
    """A project's live IP assets grouped by their deliverable's id (``None``: the project as a whole)."""
    grouped: dict[int | None, list[IPAsset]] = {}
    for asset in ip_asset_list_for(actor, project=project).filter(archived_at__isnull=True):
        grouped.setdefault(asset.deliverable_id, []).append(asset)
    return grouped


def alliance_organizations(alliance: Alliance) -> QuerySet[Organization]:
    """Who may be a party to the alliance's contracts or own its IP: its active members and its lead library."""
    members = AllianceMember.objects.active().filter(alliance=alliance).values("organization_id")
    return Organization.objects.filter(Q(pk=alliance.lead_library_id) | Q(pk__in=members)).order_by("kind", "name_zh")


# --- credibility from the record -------------------------------------------------------------------------------

# Weights of the four parts of the record score; a part with nothing to measure yet is left out and the
# others are scaled up, so a new partner is judged only on what it has done.
WEIGHTS = {"on_time": 0.3, "deviations": 0.2, "compliance": 0.3, "satisfaction": 0.2}


@dataclass
class Part:
    """One measured part of a partner's record: numerator over denominator, and the rate it gives (0–1)."""

    numerator: Decimal | int
    denominator: int
    rate: float | None


@dataclass
class Credibility:
    """A partner organisation's credibility computed from the record, each part with what it was computed from."""

    organization_id: int
    on_time: Part = field(default_factory=lambda: Part(0, 0, None))
    deviations: Part = field(default_factory=lambda: Part(0, 0, None))
    compliance: Part = field(default_factory=lambda: Part(0, 0, None))
    satisfaction: Part = field(default_factory=lambda: Part(0, 0, None))
    score: int | None = None

    @property
    def parts(self) -> list[tuple[str, Part]]:
        return [(name, getattr(self, name)) for name in WEIGHTS]


def _provider_filter(prefix: str, org_ids: list[int]) -> Q:
    return Q(
        **{
            f"{prefix}participants__organization_id__in": org_ids,
            f"{prefix}participants__role": ParticipantRole.PROVIDER,
            f"{prefix}participants__archived_at__isnull": True,
        }
    )


def _counts(qs: QuerySet[Any], org_path: str, **aggregates: Any) -> dict[int, dict[str, Any]]:
    rows = qs.order_by().values(org_path).annotate(**aggregates)
    return {row[org_path]: row for row in rows}


def partner_credibility(organization_ids: list[int] | set[int]) -> dict[int, Credibility]:
    """Credibility from the record for each organisation, in five aggregate queries whatever their number.

    - on time: milestones of its projects as provider, plus corrections sent to it, done (answered) by their
      due date, over those done or already past due;
    - deviations: correction requests per deliverable version it released (rate = 1 / (1 + per version));
    - compliance: its completed or terminated contracts not terminated for its own breach, over all of them;
    - satisfaction: readers' mean trial rating of its projects (1–5, rate = (mean − 1) / 4).

    score = 100 × Σ weight × rate / Σ weight over the parts with a denominator (weights 0.3 on time,
    0.2 deviations, 0.3 compliance, 0.2 satisfaction), rounded; None with no record at all.
    """
    ids = sorted(set(organization_ids))
    result = {org_id: Credibility(organization_id=org_id) for org_id in ids}
    if not ids:
        return result
    today = timezone.localdate()
    org = "project__participants__organization_id"

    milestones = _counts(
        Milestone.objects.active()
        .filter(_provider_filter("project__", ids))
        .filter(Q(done_at__isnull=False) | Q(due_on__lt=today)),
        org,
        due=Count("pk", distinct=True),
        kept=Count("pk", filter=Q(done_at__isnull=False) & Q(due_on__gte=TruncDate("done_at")), distinct=True),
    )
    corrections = _counts(
        CorrectionRequest.objects.active()
        .filter(_provider_filter("project__", ids))
        .filter(Q(answered_at__isnull=False) | Q(due_on__lt=today)),
        org,
        due=Count("pk", distinct=True),
        kept=Count("pk", filter=Q(answered_at__isnull=False) & Q(due_on__gte=TruncDate("answered_at")), distinct=True),
    )
    raised = _counts(
        CorrectionRequest.objects.active().filter(_provider_filter("project__", ids)), org, n=Count("pk", distinct=True)
    )
    versions = _counts(
        DeliverableVersion.objects.active().filter(_provider_filter("deliverable__project__", ids)),
        "deliverable__project__participants__organization_id",
        n=Count("pk", distinct=True),
    )
    contracts = _counts(
        ContractParty.objects.filter(
            organization_id__in=ids,
            contract__archived_at__isnull=True,
            contract__status__in=(ContractStatus.COMPLETED, ContractStatus.TERMINATED),
        ),
        "organization_id",
        closed=Count("contract", distinct=True),
        breached=Count("contract", filter=Q(contract__breached_by_id=F("organization_id")), distinct=True),
    )
    ratings = _counts(
        TrialResponse.objects.filter(_provider_filter("trial__project__", ids)),
        "trial__project__participants__organization_id",
        n=Count("pk", distinct=True),
        mean=Avg("satisfaction"),
    )

    for org_id, cred in result.items():
        m, c = milestones.get(org_id, {}), corrections.get(org_id, {})
        due = m.get("due", 0) + c.get("due", 0)
        kept = m.get("kept", 0) + c.get("kept", 0)
        cred.on_time = Part(kept, due, kept / due if due else None)
        n_versions = versions.get(org_id, {}).get("n", 0)
        n_raised = raised.get(org_id, {}).get("n", 0)
        cred.deviations = Part(n_raised, n_versions, 1 / (1 + n_raised / n_versions) if n_versions else None)
        closed = contracts.get(org_id, {}).get("closed", 0)
        honoured = closed - contracts.get(org_id, {}).get("breached", 0)
        cred.compliance = Part(honoured, closed, honoured / closed if closed else None)
        r = ratings.get(org_id, {})
        n_ratings = r.get("n", 0)
        mean = Decimal(str(r["mean"])).quantize(Decimal("0.01")) if n_ratings else Decimal("0")
        cred.satisfaction = Part(mean, n_ratings, (float(r["mean"]) - 1) / 4 if n_ratings else None)
        measured = [(WEIGHTS[name], part.rate) for name, part in cred.parts if part.rate is not None]
        if measured:
            total = sum(w for w, _rate in measured)
            cred.score = round(100 * sum(w * rate for w, rate in measured) / total)  # type: ignore[operator]
    return result


def may_read_credibility(actor: Actor, organization_id: int) -> bool:
    """Libraries (who match partners), government bodies, and the organisation's own people."""
    return (
        actor.is_superuser
        or bool(actor.library_ids)
        or actor.kind == "government"
        or organization_id in actor.organization_ids
    )


def blended_credibility(assessed: int | None, record: int | None) -> int | None:
    """What partner matching weighs: the mean of the foundation's latest assessment and the record score,
    or whichever of the two exists."""
    known = [score for score in (assessed, record) if score is not None]
    return round(sum(known) / len(known)) if known else None
