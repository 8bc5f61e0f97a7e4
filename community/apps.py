from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from core import events
        from core.history import register_history
        from stakeholders.access import actor_for

        from . import demo, navigation, selectors  # noqa: F401  (navigation registers the menu entries)
        from .access import visible_threads
        from .models import Acknowledgement, Thread
        from .services import on_guidance_published

        # Publishing a policy or standard (alliance) asks the organisations it concerns to acknowledge it.
        events.listen(events.GUIDANCE_PUBLISHED, on_guidance_published)
        register_history(Thread, lambda request: visible_threads(actor_for(request)))
        register_history(Acknowledgement, lambda request: selectors.acknowledgement_list_for(actor_for(request)))
        demo.register()
