from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stafett.core"
    label = "core"
