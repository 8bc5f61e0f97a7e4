from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliance"
    verbose_name = _("Alliances and the co-construction cycle")

    def ready(self) -> None:
        from . import demo, navigation  # noqa: F401 - navigation registers the menu entries

        demo.register()
        from . import demo_funding

        demo_funding.register()
        from . import history  # noqa: F401 - registers who may read each model's history
