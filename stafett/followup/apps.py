from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    name = "stafett.followup"
    label = "followup"
    verbose_name = "Follow-up"

    def ready(self):
        # Registers the "digest" kind with the outbox, so any worker can render it.
        from stafett.followup import engine  # noqa: F401
