from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register

register(NavEntry(_("Directory"), "stakeholders:organization-list", order=20, group="organisations"))
register(NavEntry(_("Capabilities"), "stakeholders:capability-list", order=25, group="organisations"))
