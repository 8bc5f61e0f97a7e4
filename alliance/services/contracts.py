"""Contracts among an alliance's organisations, their signatures and term, and the IP a project produces.

A contract moves draft → signed (when the last party signs) → active → completed or terminated. Any change
to its terms or parties after a signature wipes every signature: what was signed is no longer what is
written, so each party signs again. The cycle's development guard (``hooks.CONTRACT_SIGNED``) asks
``contract_signed_check`` whether the project has a contract signed by every party, its provider among them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError, DomainError, NotAllowed
from core.permissions import grant, revoke
from core.sweepers import claim_due, insert_once
from notifications.services import Notice, notify, notify_many
from stakeholders.access import Actor
from stakeholders.models import Organization

from ..choices import GOVERNMENT_ROLES, ParticipantRole
from ..models import (
    Alliance,
    AllianceMember,
    Contract,
    ContractDocument,
    ContractGroupObjectPermission,
    ContractParty,
    ContractReminder,
    Deliverable,
    IPAsset,
    IPShare,
    Project,
    ProjectParticipant,
)
from ..models.contracts import ContractStatus, ReminderKind
from ..parties import LEAD, PROVIDER, notice, organization_people, organization_users, url_or_blank
from ._common import full_clean, require_active, require_lead, require_live, require_party
from .reminders import morning_of

VIEW_CONTRACT = "view_contract"
TERM_FIELDS = ("title", "terms", "value", "starts_on", "ends_on", "project")
EDITABLE_FIELDS = (*TERM_FIELDS, "remind_days_before")
# A project may enter development on a contract its parties have all signed, and keep it once active.
BINDING = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
CLOSED = (ContractStatus.COMPLETED, ContractStatus.TERMINATED)
HUNDRED = Decimal("100")


# --- who sees a contract ------------------------------------------------------------------------------------


def contract_viewers(contract: Contract) -> set[int]:
    """Organisations that see a contract: its parties, the alliance's lead library and its guiding government."""
    ids = set(contract.parties.values_list("organization_id", flat=True))
    ids.add(contract.alliance.lead_library_id)
    ids.update(
        AllianceMember.objects.active()
        .filter(alliance_id=contract.alliance_id, role__in=GOVERNMENT_ROLES)
        .values_list("organization_id", flat=True)
    )
    return ids


def sync_contract_access(contract: Contract) -> None:
    """Grant ``view_contract`` to exactly the organisations that should see the contract now."""
    wanted = contract_viewers(contract)
    held_groups = set(
        ContractGroupObjectPermission.objects.filter(
            content_object=contract, permission__codename=VIEW_CONTRACT
        ).values_list("group_id", flat=True)
    )
    for org in Organization.objects.filter(pk__in=wanted).exclude(group_id__in=held_groups):
        grant(VIEW_CONTRACT, org.group, contract)
    for org in Organization.objects.filter(group_id__in=held_groups).exclude(pk__in=wanted):
        revoke(VIEW_CONTRACT, org.group, contract)


# --- checks ------------------------------------------------------------------------------------------------------


def _recipients(contract: Contract) -> list[Any]:
    ids = set(contract.parties.values_list("organization_id", flat=True))
    ids.add(contract.alliance.lead_library_id)
    return organization_users(ids)


def _tell(contract: Contract, event: str, message: Any, params: dict[str, Any] | None = None) -> None:
    notify(
        recipients=_recipients(contract),
        event=event,
        title=notice(message, {"title": contract.title, **(params or {})}),
        url=url_or_blank("alliance:contract-detail", contract.pk),
        data={"contract": contract.pk},
    )


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update(of=("self",)).select_related("alliance", "project").get(pk=contract.pk)


def _require_status(contract: Contract, *allowed: str) -> None:
    if contract.status not in allowed:
        raise ConflictError(
            _("The contract is %(status)s; this needs it %(allowed)s.")
            % {
                "status": contract.get_status_display(),
                "allowed": " / ".join(str(ContractStatus(s).label) for s in allowed),
            }
        )


def _check_project(alliance: Alliance, project: Project | None) -> None:
    if project is not None and project.alliance_id != alliance.pk:
        raise DomainError(
            _("The project belongs to another alliance."), fields={"project": [_("Not in this alliance.")]}
        )


def _check_parties(alliance: Alliance, parties: list[dict[str, Any]]) -> None:
    if len(parties) < 2:
        raise DomainError(_("A contract needs at least two parties."), fields={"parties": [_("At least two.")]})
    ids = [p["organization"].pk for p in parties]
    if len(set(ids)) != len(ids):
        raise DomainError(
            _("An organisation may be a party to a contract only once."), fields={"parties": [_("Repeated.")]}
        )
    members = set(
        AllianceMember.objects.active()
        .filter(alliance=alliance, organization_id__in=ids)
        .values_list("organization_id", flat=True)
    )
    members.add(alliance.lead_library_id)
    outside = [p["organization"] for p in parties if p["organization"].pk not in members]
    if outside:
        raise DomainError(
            _("Only members of the alliance can be parties: %(names)s is not.")
            % {"names": ", ".join(str(o) for o in outside)},
            fields={"parties": [_("Not an alliance member.")]},
        )


def _write_parties(contract: Contract, parties: list[dict[str, Any]]) -> None:
    wanted = {p["organization"].pk: p for p in parties}
    contract.parties.exclude(organization_id__in=list(wanted)).delete()
    existing = {p.organization_id: p for p in contract.parties.all()}
    for org_id, spec in wanted.items():
        party = existing.get(org_id) or ContractParty(contract=contract, organization=spec["organization"])
        party.role = spec["role"]
        party.obligations = spec.get("obligations", "")
        full_clean(party, exclude=["contract"])
        party.save()


def _schedule_reminder(contract: Contract) -> None:
    """Reminders go to binding contracts: N days before the end, then on the end date (sweeper moves it on)."""
    if contract.status in BINDING:
        first = contract.ends_on - timedelta(days=contract.remind_days_before)
        contract.next_reminder_at = morning_of(first)
    else:
        contract.next_reminder_at = None


# --- writes -----------------------------------------------------------------------------------------------------


@transaction.atomic
def contract_create(
    *,
    actor: Actor,
    alliance: Alliance,
    title: str,
    starts_on: date,
    ends_on: date,
    parties: list[dict[str, Any]],
    project: Project | None = None,
    terms: str = "",
    value: Decimal | int = 0,
    remind_days_before: int = 30,
) -> Contract:
    """The lead library's staff draft a contract among alliance members; each party then signs it."""
    locked = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    require_lead(actor, locked)
    require_active(locked, _("alliance"))
    _check_project(locked, project)
    if project is not None:
        require_live(project)
    _check_parties(locked, parties)
    contract = Contract(
        alliance=locked,
        project=project,
        title=title.strip(),
        terms=terms,
        value=Decimal(value),
        starts_on=starts_on,
        ends_on=ends_on,
        remind_days_before=remind_days_before,
        created_by=actor.user,
    )
    full_clean(contract)
    contract.save()
    _write_parties(contract, parties)
    sync_contract_access(contract)
    _tell(contract, "alliance.contract.drafted", gettext_lazy("Contract to sign: %(title)s"))
    return contract


@transaction.atomic
def contract_update(
    *, actor: Actor, contract: Contract, parties: list[dict[str, Any]] | None = None, **data: Any
) -> Contract:
    """Change a draft or signed contract; a change to its terms or parties wipes every signature."""
    locked = _lock(contract)
    require_lead(actor, locked.alliance)
    require_active(locked, _("contract"))
    _require_status(locked, ContractStatus.DRAFT, ContractStatus.SIGNED)
    was_signed = locked.parties.filter(signed_at__isnull=False).exists()
    changed = False
    for key, value in data.items():
        if key not in EDITABLE_FIELDS:
            continue
        if key in TERM_FIELDS and getattr(locked, key) != value:
            changed = True
        setattr(locked, key, value)
    _check_project(locked.alliance, locked.project)
    if parties is not None:
        _check_parties(locked.alliance, parties)
        before = {(p.organization_id, p.role, p.obligations) for p in locked.parties.all()}
        after = {(p["organization"].pk, p["role"], p.get("obligations", "")) for p in parties}
        if before != after:
            changed = True
            _write_parties(locked, parties)
    full_clean(locked)
    if changed and was_signed:
        locked.parties.update(signed_at=None, signed_by=None, updated_at=timezone.now())
        locked.status = ContractStatus.DRAFT
        locked.signed_at = None
    _schedule_reminder(locked)
    locked.save()
    sync_contract_access(locked)
    if changed and was_signed:
        _tell(
            locked,
            "alliance.contract.resign",
            gettext_lazy("The terms of %(title)s changed: every party signs again"),
        )
    return locked


@transaction.atomic
def contract_sign(*, actor: Actor, contract: Contract, organization: Organization | None = None) -> Contract:
    """A manager signs for their organisation; the last signature makes the contract signed by every party."""
    locked = _lock(contract)
    require_active(locked, _("contract"))
    _require_status(locked, ContractStatus.DRAFT)
    parties = list(locked.parties.select_for_update().order_by("id"))
    if organization is not None:
        mine = [p for p in parties if p.organization_id == organization.pk]
    else:
        own = actor.organization.pk if actor.organization is not None else None
        managed = [
            p for p in parties if p.organization_id in actor.organization_ids and actor.manages(p.organization_id)
        ]
        mine = [p for p in managed if p.organization_id == own] or [p for p in managed if p.signed_at is None]
    if not mine or not actor.manages(mine[0].organization_id):
        raise NotAllowed(_("Only a manager of a party to the contract may sign it for that party."))
    party = mine[0]
    if party.signed_at is not None:
        raise ConflictError(_("Your organisation has already signed this contract."))
    now = timezone.now()
    party.signed_at, party.signed_by = now, actor.user
    party.save(update_fields=["signed_at", "signed_by", "updated_at"])
    if all(p.signed_at is not None for p in parties):
        locked.status = ContractStatus.SIGNED
        locked.signed_at = now
        _schedule_reminder(locked)
        locked.save(update_fields=["status", "signed_at", "next_reminder_at", "updated_at"])
        _tell(locked, "alliance.contract.signed", gettext_lazy("Contract signed by every party: %(title)s"))
    return locked


@transaction.atomic
def contract_activate(*, actor: Actor, contract: Contract) -> Contract:
    locked = _lock(contract)
    require_lead(actor, locked.alliance, manager=True)
    require_active(locked, _("contract"))
    _require_status(locked, ContractStatus.SIGNED)
    locked.status = ContractStatus.ACTIVE
    locked.activated_at = timezone.now()
    _schedule_reminder(locked)
    locked.save(update_fields=["status", "activated_at", "next_reminder_at", "updated_at"])
    _tell(locked, "alliance.contract.active", gettext_lazy("Contract in force: %(title)s"))
    return locked


@transaction.atomic
def contract_complete(*, actor: Actor, contract: Contract) -> Contract:
    locked = _lock(contract)
    require_lead(actor, locked.alliance, manager=True)
    require_active(locked, _("contract"))
    _require_status(locked, ContractStatus.ACTIVE)
    locked.status = ContractStatus.COMPLETED
    locked.closed_at = timezone.now()
    locked.next_reminder_at = None
    locked.save(update_fields=["status", "closed_at", "next_reminder_at", "updated_at"])
    _tell(locked, "alliance.contract.completed", gettext_lazy("Contract completed: %(title)s"))
    return locked


@transaction.atomic
def contract_terminate(
    *, actor: Actor, contract: Contract, reason: str, breached_by: Organization | None = None
) -> Contract:
    """End a signed or active contract early; naming the party in breach counts against its compliance."""
    locked = _lock(contract)
    require_lead(actor, locked.alliance, manager=True)
    require_active(locked, _("contract"))
    _require_status(locked, ContractStatus.SIGNED, ContractStatus.ACTIVE)
    if not reason.strip():
        raise DomainError(_("Say why the contract is terminated."), fields={"reason": [_("Required.")]})
    if breached_by is not None and not locked.parties.filter(organization=breached_by).exists():
        raise DomainError(
            _("Only a party to the contract can be in breach of it."), fields={"breached_by": [_("Not a party.")]}
        )
    locked.status = ContractStatus.TERMINATED
    locked.closed_at = timezone.now()
    locked.termination_reason = reason.strip()
    locked.breached_by = breached_by
    locked.next_reminder_at = None
    locked.save()
    _tell(locked, "alliance.contract.terminated", gettext_lazy("Contract terminated: %(title)s"))
    return locked


@transaction.atomic
def contract_archive(*, actor: Actor, contract: Contract) -> Contract:
    """Set aside a draft made by mistake, or a closed contract; binding contracts stay in view."""
    locked = _lock(contract)
    require_lead(actor, locked.alliance)
    require_active(locked, _("contract"))
    _require_status(locked, ContractStatus.DRAFT, *CLOSED)
    locked.archived_at = timezone.now()
    locked.next_reminder_at = None
    locked.save(update_fields=["archived_at", "next_reminder_at", "updated_at"])
    return locked


@transaction.atomic
def contract_document_add(*, actor: Actor, contract: Contract, title: str, file: UploadedFile) -> ContractDocument:
    """The lead library's staff or a party's staff attach a document (checked by its content)."""
    locked = _lock(contract)
    require_active(locked, _("contract"))
    writers = {
        org_id
        for org_id in [locked.alliance.lead_library_id, *locked.parties.values_list("organization_id", flat=True)]
        if actor.writes_for(org_id)
    }
    if not writers:
        raise NotAllowed(_("Only the staff of a party or of the lead library may attach documents."))
    document = ContractDocument(contract=locked, title=title.strip(), file=file, uploaded_by=actor.user)
    full_clean(document, exclude=["contract", "uploaded_by"])
    document.save()
    return document


# --- the development guard ------------------------------------------------------------------------------------


def contract_signed_check(project: Project) -> str | None:
    """``hooks.CONTRACT_SIGNED``: a contract of the project signed by every party, its provider among them."""
    providers = ProjectParticipant.objects.active().filter(project=project, role=ParticipantRole.PROVIDER)
    binding = Contract.objects.active().filter(project=project, status__in=BINDING)
    if binding.filter(parties__organization_id__in=providers.values("organization_id")).exists():
        return None
    if binding.exists():
        return _("the signed contract does not bind the project's provider")
    return _("no contract of the project signed by every party")


# --- expiry reminders ---------------------------------------------------------------------------------------------


def contracts_remind_expiry(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Remind the parties of a binding contract N days before its end and on its end date, once each.

    Set-based: the reminders are recorded with one INSERT .. ON CONFLICT DO NOTHING RETURNING, and only the
    new ones are sent, with one ``notify_many()``: the query count does not grow with the number of contracts.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        rows = claim_due(
            Contract.objects.active().filter(status__in=BINDING).select_related("alliance"),
            now=now,
            limit=limit,
            field="next_reminder_at",
        )
        if not rows:
            return 0
        kinds = {c.pk: ReminderKind.EXPIRED if today >= c.ends_on else ReminderKind.BEFORE_END for c in rows}
        records = [{"contract": c.pk, "kind": kinds[c.pk], "ends_on": c.ends_on} for c in rows]
        new = {pk for pk, _kind in insert_once(ContractReminder, records, ["contract", "kind"])}
        for c in rows:
            c.next_reminder_at = None if kinds[c.pk] == ReminderKind.EXPIRED else morning_of(c.ends_on)
        Contract.objects.bulk_update(rows, ["next_reminder_at"])
        told = [c for c in rows if c.pk in new]
        parties: dict[int, set[int]] = {c.pk: {c.alliance.lead_library_id} for c in told}
        for contract_id, organization_id in ContractParty.objects.filter(contract__in=told).values_list(
            "contract_id", "organization_id"
        ):
            parties[contract_id].add(organization_id)
        everyone, _managers = organization_people(set().union(*parties.values()))
        notices = []
        for c in told:
            if kinds[c.pk] == ReminderKind.EXPIRED:
                message = gettext_lazy("Contract expired on %(date)s: %(title)s")
            else:
                message = gettext_lazy("Contract ends on %(date)s: %(title)s")
            recipients = {u.pk: u for org in parties[c.pk] for u in everyone.get(org, [])}
            notices.append(
                Notice(
                    recipients.values(),
                    f"alliance.contract.{kinds[c.pk]}",
                    notice(message, {"title": c.title, "date": c.ends_on.isoformat()}),
                    url=url_or_blank("alliance:contract-detail", c.pk),
                    data={"contract": c.pk},
                )
            )
        notify_many(notices)
    return len(rows)


# --- intellectual property --------------------------------------------------------------------------------------


IP_FIELDS = ("title", "kind", "description", "licence", "third_party_cleared", "clearance_note", "deliverable")


def _check_shares(shares: list[dict[str, Any]]) -> None:
    if not shares:
        raise DomainError(_("Name at least one owner."), fields={"shares": [_("At least one owner.")]})
    ids = [s["organization"].pk for s in shares]
    if len(set(ids)) != len(ids):
        raise DomainError(_("Each owner may be named only once."), fields={"shares": [_("Repeated owner.")]})
    for share in shares:
        if not Decimal("0") < Decimal(share["percent"]) <= HUNDRED:
            raise DomainError(
                _("Each share is more than 0% and at most 100%."), fields={"shares": [_("Out of range.")]}
            )
    total = sum((Decimal(s["percent"]) for s in shares), Decimal("0"))
    if total != HUNDRED:
        message = _("The owners' shares add up to %(total)s%%, not 100%%.") % {"total": f"{total.normalize():f}"}
        raise DomainError(message, code="shares_not_100", fields={"shares": [message]})


def _check_deliverable(project: Project, deliverable: Deliverable | None) -> None:
    if deliverable is not None and deliverable.project_id != project.pk:
        raise DomainError(
            _("The deliverable belongs to another project."), fields={"deliverable": [_("Not of this project.")]}
        )


def _write_shares(asset: IPAsset, shares: Iterable[dict[str, Any]]) -> None:
    wanted = {s["organization"].pk: s for s in shares}
    asset.shares.exclude(organization_id__in=list(wanted)).delete()
    existing = {s.organization_id: s for s in asset.shares.all()}
    for org_id, spec in wanted.items():
        share = existing.get(org_id) or IPShare(asset=asset, organization=spec["organization"])
        share.percent = Decimal(spec["percent"])
        share.save()


@transaction.atomic
def ip_asset_create(
    *, actor: Actor, project: Project, title: str, kind: str, shares: list[dict[str, Any]], **data: Any
) -> IPAsset:
    """The lead library's staff or the provider record what the project produces and who owns what share."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_party(actor, locked, LEAD, PROVIDER)
    require_active(locked, _("project"))
    _check_deliverable(locked, data.get("deliverable"))
    _check_shares(shares)
    asset = IPAsset(project=locked, title=title.strip(), kind=kind, created_by=actor.user)
    for key, value in data.items():
        if key in IP_FIELDS:
            setattr(asset, key, value)
    full_clean(asset)
    asset.save()
    _write_shares(asset, shares)
    return asset


@transaction.atomic
def ip_asset_update(
    *, actor: Actor, asset: IPAsset, shares: list[dict[str, Any]] | None = None, **data: Any
) -> IPAsset:
    locked = IPAsset.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=asset.pk)
    require_party(actor, locked.project, LEAD, PROVIDER)
    require_active(locked, _("IP asset"))
    for key, value in data.items():
        if key in IP_FIELDS:
            setattr(locked, key, value)
    _check_deliverable(locked.project, locked.deliverable)
    if shares is not None:
        _check_shares(shares)
    full_clean(locked)
    locked.save()
    if shares is not None:
        _write_shares(locked, shares)
    return locked


@transaction.atomic
def ip_asset_archive(*, actor: Actor, asset: IPAsset) -> IPAsset:
    locked = IPAsset.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=asset.pk)
    require_party(actor, locked.project, LEAD)
    require_active(locked, _("IP asset"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked
