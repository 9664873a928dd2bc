from django.apps import AppConfig


class PeriodsConfig(AppConfig):
    name = "dtks.periods"
    label = "periods"
