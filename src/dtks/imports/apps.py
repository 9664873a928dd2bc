from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dtks.imports"
    label = "imports"
