from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dtks.accounts"
    label = "accounts"
