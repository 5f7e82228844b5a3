from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stafett.core"
    label = "core"

    def ready(self):
        # Django's own empty choice ("- Select an option -") has no bokmål or
        # nynorsk translation. Every form of ours names its empty choice; this
        # catches any that does not (and the operators' admin) in our catalogue.
        from django.db.models import fields
        from django.utils.translation import gettext_lazy as _

        from stafett.core import tasks  # noqa: F401  (registers periodic work of the apps below)

        fields.BLANK_CHOICE_LABEL = _("– Choose –")
