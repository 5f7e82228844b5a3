from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "stafett.reports"
    label = "reports"
    verbose_name = "Reports of concern"
