from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    name = "stafett.followup"
    label = "followup"
    verbose_name = "Follow-up"
