from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "dtks.eligibility"
    label = "eligibility"
