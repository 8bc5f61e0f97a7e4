from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliance"
    verbose_name = _("Alliances and the co-construction cycle")

    def ready(self) -> None:
        from . import demo, navigation  # noqa: F401 - navigation registers the menu entries

        demo.register()
        from stakeholders import privacy

        from . import (
            demo_funding,
            history,  # noqa: F401 - registers who may read each model's history
        )
        from . import privacy as reader_data

        demo_funding.register()

        # This app's part of a reader's personal data: in the export, blanked or detached on erasure.
        privacy.register("alliance", export=reader_data.export_reader, erase=reader_data.erase_reader)
