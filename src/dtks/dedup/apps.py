from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "dtks.dedup"
    label = "dedup"
