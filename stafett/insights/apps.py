from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "stafett.insights"
    label = "insights"
