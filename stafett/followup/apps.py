from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    name = "stafett.followup"
    label = "followup"
    verbose_name = "Follow-up"

    def ready(self):
        # Registers the "digest" kind with the outbox, so any worker can render
        # it: notify sits below followup and cannot import it (Django's own
        # place for such a registration, not a dodged cycle).
        from stafett.followup import engine  # noqa: F401
