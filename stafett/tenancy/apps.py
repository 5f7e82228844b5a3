from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "stafett.tenancy"
    label = "tenancy"
