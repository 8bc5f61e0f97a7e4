from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "risk"
    verbose_name = _("Risk control")

    def ready(self) -> None:
        from alliance import hooks

        from . import demo, navigation  # noqa: F401  (navigation registers the menu entry)
        from .services import preassessment_check

        # The cycle's development guard asks this app whether the project's risks were pre-assessed.
        hooks.register(hooks.RISK_PREASSESSED, preassessment_check)
        demo.register()
