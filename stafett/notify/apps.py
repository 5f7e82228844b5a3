from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "stafett.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        # Registers the e-mail channel.
        from stafett.notify import channels  # noqa: F401
