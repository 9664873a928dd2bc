from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "dtks.proposals"
    label = "proposals"
