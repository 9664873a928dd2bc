from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dtks.registry"
    label = "registry"
