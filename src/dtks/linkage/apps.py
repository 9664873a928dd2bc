from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "dtks.linkage"
    label = "linkage"
