from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.navigation import NavEntry, register

        # The notification centre is reached from the bell in the header, not from the main menu,
        # which has to fit one line at 1366 px in English too.
        register(
            NavEntry(
                _("Outbox"),
                "notifications:deliveries",
                order=95,
                icon="envelope-exclamation",
                visible=lambda actor: bool(actor.user is not None and actor.user.is_staff),
            )
        )
        from stakeholders import privacy

        from . import privacy as reader_data

        # This app's part of a reader's personal data: in the export, blanked or detached on erasure.
        privacy.register("notifications", export=reader_data.export_reader, erase=reader_data.erase_reader)
