"""The coordination menu entry (calendar, meetings, research plans): for people acting for an organisation."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register
from stakeholders.access import Actor


def _in_organisation(actor: Actor) -> bool:
    return bool(actor.memberships) or actor.is_superuser


register(NavEntry(_("Meetings"), "coordination:calendar", order=42, visible=_in_organisation, group="coordination"))
