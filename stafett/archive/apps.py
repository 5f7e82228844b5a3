from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "stafett.archive"
    label = "archive"
    verbose_name = "Archive"

    def ready(self):
        # The "archive" outbox channel and the archive's receipt handler
        # register themselves on import.
        from stafett.archive import delivery  # noqa: F401
