"""The risk registers' menu entry: for people acting for an organisation (registers are scoped inside)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, in_organisation, register

register(NavEntry(_("Risks"), "risk:register-list", order=38, visible=in_organisation))
