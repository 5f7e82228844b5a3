from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "stafett.archive"
    label = "archive"
    verbose_name = "Archive"
