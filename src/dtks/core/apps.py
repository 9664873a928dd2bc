from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dtks.core"
    label = "core"
