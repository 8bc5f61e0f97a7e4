"""Menu entries of the feedback loop: readers give and follow theirs."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register
from stakeholders.access import Actor
from stakeholders.choices import PARTNER_KINDS


def _reader(actor: Actor) -> bool:
    return actor.reader_profile is not None


register(NavEntry(_("My feedback"), "feedback:my-list", order=38, visible=_reader))
register(NavEntry(_("Readers' needs"), "feedback:public-needs", order=39, visible=_reader))


def _library(actor: Actor) -> bool:
    return bool(actor.library_ids) or actor.is_superuser


register(NavEntry(_("Feedback"), "feedback:inbox", order=33, visible=_library))


def _partner(actor: Actor) -> bool:
    return any(m.organization.kind in PARTNER_KINDS for m in actor.memberships)


register(NavEntry(_("Readers' feedback"), "feedback:partner-list", order=33, visible=_partner))
