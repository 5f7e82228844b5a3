from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "stafett.access"
    label = "access"
