from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "stafett.guides"
    label = "guides"
