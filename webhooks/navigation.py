"""The webhooks menu entry: for managers of an organisation."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register
from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES


def _manager(actor: Actor) -> bool:
    return actor.is_superuser or any(m.role in MANAGING_ROLES for m in actor.memberships)


register(NavEntry(_("Webhooks"), "webhooks:subscription-list", order=90, visible=_manager, group="organisations"))
