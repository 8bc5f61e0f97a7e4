"""The risk registers' menu entry: for people acting for an organisation (registers are scoped inside)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register
from stakeholders.access import Actor


def _in_organisation(actor: Actor) -> bool:
    return bool(actor.memberships) or actor.is_superuser


register(NavEntry(_("Risks"), "risk:register-list", order=38, visible=_in_organisation))
