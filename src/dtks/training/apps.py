from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "dtks.training"
    label = "training"
