"""Menu entries: discussions for every signed-in person; acknowledgements for people acting for an organisation."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register
from stakeholders.access import Actor


def _signed_in(actor: Actor) -> bool:
    return actor.is_authenticated


def _in_organisation(actor: Actor) -> bool:
    return bool(actor.memberships) or actor.is_superuser


register(NavEntry(_("Discussions"), "community:thread-list", order=60, visible=_signed_in, group="coordination"))
register(
    NavEntry(
        _("Acknowledgements"),
        "community:acknowledgement-list",
        order=62,
        visible=_in_organisation,
        group="coordination",
    )
)
