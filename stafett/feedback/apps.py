from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "stafett.feedback"
    label = "feedback"
    verbose_name = "Feedback"
