from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "dtks.performance"
    label = "performance"
