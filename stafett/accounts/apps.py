from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stafett.accounts"
    label = "accounts"
