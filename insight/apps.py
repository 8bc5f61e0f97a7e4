from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insight"
    verbose_name = _("Collaboration insight")

    def ready(self) -> None:
        from . import demo, history, navigation, partner_sources, sources  # noqa: F401  (menu entry, history, sources)

        partner_sources.register()  # meetings, plan and contract signatures, tranches, expenditures
        demo.register()  # a finished period report of the demo alliance
