from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "stafett.surveys"
    label = "surveys"
    verbose_name = "Surveys"
