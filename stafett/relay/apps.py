from django.apps import AppConfig


class RelayConfig(AppConfig):
    name = "stafett.relay"
    label = "relay"
