from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dtks.audit"
    label = "audit"
