from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dtks.api"
    label = "api"
