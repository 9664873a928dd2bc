from django.apps import AppConfig


class WilayahConfig(AppConfig):
    name = "dtks.wilayah"
    label = "wilayah"
