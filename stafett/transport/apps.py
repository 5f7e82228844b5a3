from django.apps import AppConfig


class TransportConfig(AppConfig):
    name = "stafett.transport"
    label = "transport"
    verbose_name = "Transport"
