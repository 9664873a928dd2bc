from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dtks.demo"
    label = "demo"
