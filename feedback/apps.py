from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Reader feedback")

    def ready(self) -> None:
        from . import demo, history, navigation  # noqa: F401 - history: who may read it; navigation: the menu

        demo.register()
        from alliance import hooks

        from .services import feedback_provider_answered

        # The provider's answer in its portal reaches the reader (alliance never imports feedback).
        hooks.listen(hooks.CORRECTION_ANSWERED, feedback_provider_answered)
        hooks.listen(hooks.CORRECTION_CLOSED, feedback_provider_answered)
        from stakeholders import privacy

        from . import privacy as reader_data

        # This app's part of a reader's personal data: in the export, blanked or detached on erasure.
        privacy.register("feedback", export=reader_data.export_reader, erase=reader_data.erase_reader)
