"""Menu entries of the co-construction cycle, each shown to the portals that use it.

Partners reach their invitations from the alliance list (and from the notification), which keeps the
menu on one line.
"""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, in_organisation, register
from stakeholders.access import Actor


def _library(actor: Actor) -> bool:
    return bool(actor.library_ids) or actor.is_superuser


def _trains_or_is_trained(actor: Actor) -> bool:
    """Library staff are trained; universities and research institutes train them."""
    return bool(actor.library_ids) or actor.kind in ("university", "research") or actor.is_superuser


def _reader(actor: Actor) -> bool:
    return actor.reader_profile is not None


def _government(actor: Actor) -> bool:
    return actor.kind == "government"


register(NavEntry(_("Alliances"), "alliance:alliance-list", order=30, visible=in_organisation, group="cycle"))
register(NavEntry(_("Needs"), "alliance:need-list", order=31, visible=_library, group="cycle"))
register(NavEntry(_("Projects"), "alliance:project-list", order=32, visible=in_organisation, group="cycle"))
register(NavEntry(_("Funding"), "alliance:funding", order=33, visible=in_organisation, group="agreements"))
register(NavEntry(_("Contracts"), "alliance:contract-list", order=34, visible=in_organisation, group="agreements"))
register(NavEntry(_("Training"), "alliance:training-list", order=34, visible=_trains_or_is_trained, group="cycle"))
register(NavEntry(_("Guidance"), "alliance:guidance-list", order=35, group="cycle"))
register(NavEntry(_("Compliance"), "alliance:compliance", order=36, visible=_government, group="cycle"))
register(NavEntry(_("My trials"), "alliance:my-trials", order=37, visible=_reader))
