from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "stafett.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self):
        # The worker runs with the follow-up's periodic loop (run_followup).
        from stafett.retention import tasks  # noqa: F401  (registers apply_retention)
