from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dtks.reports"
    label = "reports"
