from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "dtks.verification"
    label = "verification"
