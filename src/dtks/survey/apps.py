from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "dtks.survey"
    label = "survey"
