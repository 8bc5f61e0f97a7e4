"""Reader personal data: access log, export on request, erasure that keeps anonymised feedback.

stakeholders may not import the apps built on it, so each app that holds reader data plugs a *provider*
in from its ``AppConfig.ready()``::

    from stakeholders import privacy
    privacy.register("feedback", export=export_reader, erase=erase_reader)

``export(profile) -> dict`` returns that app's part of the reader's data (JSON-serialisable);
``erase(profile, actor) -> dict[str, int]`` blanks or detaches it inside the erasure's transaction and says
how many rows it touched. Rows are never deleted: they are anonymised, detached or archived.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ConflictError, DomainError, NotAllowed
from core.models import IdempotencyKey

from .access import Actor
from .models import ReaderDataAccess, ReaderErasure, ReaderProfile

Exporter = Callable[[ReaderProfile], dict[str, Any]]
Eraser = Callable[[ReaderProfile, Actor], dict[str, int]]


@dataclass(frozen=True)
class Provider:
    name: str
    export: Exporter
    erase: Eraser | None = None


_providers: dict[str, Provider] = {}


def register(name: str, *, export: Exporter, erase: Eraser | None = None) -> None:
    """Plug an app's reader data in; registering the same name again replaces it (ready() may run twice)."""
    _providers[name] = Provider(name, export, erase)


def providers() -> list[Provider]:
    return [_providers[name] for name in sorted(_providers)]


# --- who may --------------------------------------------------------------------------------------------------


def can_manage(actor: Actor, profile: ReaderProfile) -> bool:
    """The reader's home library's managers export, erase and read the access log."""
    return actor.is_superuser or actor.manages(profile.home_library_id)


def require_manager(actor: Actor, profile: ReaderProfile) -> None:
    if not can_manage(actor, profile):
        raise NotAllowed(_("Only the managers of the reader's library may do this."))


def is_self(actor: Actor, profile: ReaderProfile) -> bool:
    return actor.reader_profile is not None and actor.reader_profile.pk == profile.pk


# --- access log -------------------------------------------------------------------------------------------------


def access_log(actor: Actor, profile: ReaderProfile | None, view: str, request: HttpRequest | None = None) -> None:
    """Record that a staff member opened this reader's data. The reader looking at themself is not logged."""
    if profile is None or not actor.is_authenticated or is_self(actor, profile):
        return
    ReaderDataAccess.objects.create(
        library_id=profile.home_library_id,
        reader=profile,
        actor=actor.user,
        view=view[:100],
        path=(request.get_full_path() if request is not None else "")[:300],
    )


def access_list_for(actor: Actor) -> QuerySet[ReaderDataAccess]:
    """The access log of the libraries the actor manages (superusers: all)."""
    qs = ReaderDataAccess.objects.select_related("actor", "reader__user", "library")
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_superuser:
        return qs
    return qs.filter(library_id__in=actor.managed_library_ids)


# --- export ------------------------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def reader_export(*, actor: Actor, profile: ReaderProfile, request: HttpRequest | None = None) -> dict[str, Any]:
    """Everything the platform holds about the reader, as one JSON-ready document (self or library managers)."""
    if not is_self(actor, profile):
        require_manager(actor, profile)
        access_log(actor, profile, "export", request)
    user = profile.user
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "phone": user.phone,
            "home_library": profile.home_library.name_zh,
            "card": profile.card_number_masked,
            "joined_at": _iso(profile.created_at),
            "erased": hasattr(profile, "erasure"),
        },
        "consents": {
            "contact": profile.consent_contact,
            "trials": profile.consent_trials,
            "consented_at": _iso(profile.consented_at),
        },
    }
    for provider in providers():
        data.update(provider.export(profile))
    return data


# --- erasure -----------------------------------------------------------------------------------------------------


@transaction.atomic
def reader_erase(*, actor: Actor, profile: ReaderProfile, reason: str, confirm: str) -> ReaderErasure:
    """Irreversibly erase a reader's personal data on request, keeping their feedback anonymised.

    ``confirm`` must repeat the reader's masked card number (the confirm step). Every provider blanks or
    detaches its rows; the profile keeps no name, card or contact; the account is deactivated; a
    ``ReaderErasure`` records who, when, why and what.
    """
    locked = ReaderProfile.objects.select_for_update(of=("self",)).select_related("user").get(pk=profile.pk)
    require_manager(actor, locked)
    if ReaderErasure.objects.filter(reader=locked).exists():
        raise ConflictError(_("This reader's data was already erased."))
    if not (reason or "").strip():
        raise DomainError(_("Say why the data is erased."), fields={"reason": [_("This field is required.")]})
    if (confirm or "").strip() != locked.card_number_masked:
        raise DomainError(
            _("Type the reader's card number as shown to confirm."), fields={"confirm": [_("Does not match.")]}
        )
    summary: dict[str, int] = {}
    for provider in providers():
        if provider.erase is not None:
            for key, count in provider.erase(locked, actor).items():
                summary[f"{provider.name}.{key}"] = count
    user = locked.user
    user.username = f"erased-{locked.pk}-{secrets.token_hex(4)}"
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    locked.card_number_hash = f"erased:{secrets.token_hex(24)}"
    locked.card_number_masked = "—"
    locked.consent_contact = False
    locked.consent_trials = False
    locked.save()
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    # Stored replies to the reader's idempotent API writes (core.api.idempotency) repeat what they submitted; they
    # are a cache that expires within a day, not a record, so they go now rather than at the next sweep.
    summary["core.idempotency_replies"] = IdempotencyKey.objects.filter(user=user).delete()[0]
    return ReaderErasure.objects.create(
        reader=locked, library_id=locked.home_library_id, erased_by=actor.user, reason=reason.strip(), summary=summary
    )
