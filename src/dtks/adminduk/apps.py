from django.apps import AppConfig


class AdmindukConfig(AppConfig):
    name = "dtks.adminduk"
    label = "adminduk"
