from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "stafett.citizen"
    label = "citizen"
