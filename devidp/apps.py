from django.apps import AppConfig


class DevIdpConfig(AppConfig):
    name = "devidp"
    label = "devidp"
    default_auto_field = "django.db.models.BigAutoField"
