from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "dtks.schedule"
    label = "schedule"
