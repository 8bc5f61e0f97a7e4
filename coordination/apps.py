from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        from core.dashboard import register_panel

        from . import demo, history, navigation  # noqa: F401  (history and navigation register themselves)
        from .selectors import dashboard_panel

        # The actor's open action items on every portal's dashboard; core knows no domain app.
        register_panel("coordination/_dashboard_panel.html", dashboard_panel, order=60)
        demo.register()
