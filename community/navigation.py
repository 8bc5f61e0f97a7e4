"""Menu entries: discussions for every signed-in person; acknowledgements for people acting for an organisation."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, in_organisation, register
from stakeholders.access import Actor


def _signed_in(actor: Actor) -> bool:
    return actor.is_authenticated


register(NavEntry(_("Discussions"), "community:thread-list", order=60, visible=_signed_in, group="coordination"))
register(
    NavEntry(
        _("Acknowledgements"),
        "community:acknowledgement-list",
        order=62,
        visible=in_organisation,
        group="coordination",
    )
)
