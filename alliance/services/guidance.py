"""Government bodies and research institutes issue policies and standards; projects declare what they follow."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.exceptions import ConflictError, DomainError, NotAllowed
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind

from ..choices import GuidanceKind
from ..models import GuidanceDocument, Project, ProjectStandard
from ..parties import LEAD, PROVIDER
from ._common import full_clean, require_active, require_live, require_party

ISSUER_KINDS: dict[str, tuple[str, ...]] = {
    GuidanceKind.POLICY: (OrganizationKind.GOVERNMENT,),
    GuidanceKind.STANDARD: (OrganizationKind.GOVERNMENT, OrganizationKind.RESEARCH),
}


@transaction.atomic
def guidance_issue(
    *,
    actor: Actor,
    kind: str,
    title: str,
    effective_on: date,
    version: str = "1.0",
    code: str = "",
    scope: str = "",
    summary: str = "",
    document: UploadedFile | None = None,
) -> GuidanceDocument:
    """The acting organisation issues a policy (government) or a standard (government or research institute)."""
    org = actor.organization
    if kind not in ISSUER_KINDS:
        raise DomainError(_("Unknown kind of guidance."), fields={"kind": [_("Unknown kind.")]})
    if org is None or org.kind not in ISSUER_KINDS[kind] or not actor.writes_for(org.pk):
        raise NotAllowed(_("Policies are issued by government bodies, standards also by research institutes."))
    doc = GuidanceDocument(
        kind=kind,
        issuer=org,
        title=title.strip(),
        effective_on=effective_on,
        version=version.strip(),
        code=code.strip(),
        scope=scope,
        summary=summary,
        issued_by=actor.user,
    )
    if document is not None:
        doc.document = document  # type: ignore[assignment]
    duplicate = GuidanceDocument.objects.filter(issuer=org, kind=kind, code=doc.code, version=doc.version)
    if doc.code and duplicate.exists():
        raise ConflictError(_("This code and version were already issued."), fields={"version": [_("Already issued.")]})
    full_clean(doc)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError as exc:
        raise ConflictError(_("This code and version were already issued.")) from exc
    # Publishing: listeners (community asks each concerned organisation to acknowledge; webhooks) hear it.
    from ..selectors import guidance_concerned_organization_ids

    concerned = guidance_concerned_organization_ids(doc)
    events.emit(
        events.GUIDANCE_PUBLISHED,
        obj=doc,
        organization_ids={org.pk, *concerned},
        data={"document": doc.pk, "kind": doc.kind, "issuer": org.pk, "concerns": sorted(concerned)},
    )
    return doc


@transaction.atomic
def guidance_archive(*, actor: Actor, document: GuidanceDocument) -> GuidanceDocument:
    """Withdraw a policy or standard (superseded ones stay readable in the history)."""
    locked = GuidanceDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
    if not actor.manages(locked.issuer_id):
        raise NotAllowed(_("Only the issuer's managers may withdraw it."))
    require_active(locked, _("document"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def project_declare_standard(
    *, actor: Actor, project: Project, standard: GuidanceDocument, note: str = ""
) -> ProjectStandard:
    """The library or the provider declares that the project follows a standard."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_party(actor, locked, LEAD, PROVIDER)
    require_live(locked)
    standard = GuidanceDocument.objects.get(pk=standard.pk)  # the caller's copy may predate a withdrawal
    if standard.kind != GuidanceKind.STANDARD or standard.is_archived:
        raise DomainError(_("Only a standard in force can be declared."))
    try:
        with transaction.atomic():
            return ProjectStandard.objects.create(project=locked, standard=standard, declared_by=actor.user, note=note)
    except IntegrityError as exc:
        raise ConflictError(_("The project already declares this standard.")) from exc


@transaction.atomic
def project_withdraw_standard(*, actor: Actor, declaration: ProjectStandard) -> ProjectStandard:
    locked = (
        ProjectStandard.objects.select_for_update(of=("self",))
        .select_related("project__alliance")
        .get(pk=declaration.pk)
    )
    require_party(actor, locked.project, LEAD)
    require_active(locked, _("declaration"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked
