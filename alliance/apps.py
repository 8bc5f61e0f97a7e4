from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliance"
    verbose_name = _("Alliances and the co-construction cycle")

    def ready(self) -> None:
        from stakeholders import panels, privacy

        from . import (  # noqa: F401 - navigation registers the menu entries, history who may read each model's history
            demo,
            demo_contracts,
            demo_funding,
            history,
            hooks,
            navigation,
        )
        from . import privacy as reader_data
        from .services.contracts import contract_signed_check
        from .views.contracts import credibility_panel

        demo.register()
        demo_contracts.register()
        demo_funding.register()
        # The development guard asks for a contract of the project signed by every party.
        hooks.register(hooks.CONTRACT_SIGNED, contract_signed_check)
        # An organisation's page shows its credibility from the record next to the foundation's assessments.
        panels.register("credibility", credibility_panel)
        # This app's part of a reader's personal data: in the export, blanked or detached on erasure.
        privacy.register("alliance", export=reader_data.export_reader, erase=reader_data.erase_reader)
