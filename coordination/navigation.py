"""The coordination menu entry (calendar, meetings, research plans): for people acting for an organisation."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, in_organisation, register

register(NavEntry(_("Meetings"), "coordination:calendar", order=42, visible=in_organisation, group="coordination"))
