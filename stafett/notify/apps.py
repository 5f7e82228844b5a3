from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotifyConfig(AppConfig):
    name = "stafett.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        # Each app registers the kinds it sends in its own notify_kinds module
        # (the digest: followup), so a worker can render every message while
        # notify imports nothing above it.
        autodiscover_modules("notify_kinds")
