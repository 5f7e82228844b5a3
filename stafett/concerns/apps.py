from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "stafett.concerns"
    label = "concerns"
