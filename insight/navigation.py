"""The insight menu entry: for libraries and government bodies (partners are refused insight; see selectors)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry, register

from .selectors import may_read_insight

register(NavEntry(_("Insight"), "insight:home", order=45, visible=may_read_insight))
