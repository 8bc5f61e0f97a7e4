from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core import events
        from core.history import register_history
        from stakeholders.access import actor_for

        from . import demo, navigation, selectors  # noqa: F401  (navigation registers the menu entry)
        from .models import Subscription
        from .services import on_event

        events.listen(events.ANY, on_event)
        register_history(
            Subscription, lambda request: selectors.subscription_list_for(actor_for(request), include_archived=True)
        )
        demo.register()
