from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliance"
    verbose_name = _("Alliances and the co-construction cycle")

    def ready(self) -> None:
        from . import (  # noqa: F401 - navigation registers the menu entries
            demo,
            demo_contracts,
            history,
            hooks,
            navigation,
        )
        from .services.contracts import contract_signed_check

        demo.register()
        demo_contracts.register()
        # The development guard asks for a contract of the project signed by every party.
        hooks.register(hooks.CONTRACT_SIGNED, contract_signed_check)
