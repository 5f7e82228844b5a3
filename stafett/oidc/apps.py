from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "stafett.oidc"
    label = "oidc"
