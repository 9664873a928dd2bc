"""Pemadanan pages under /padan/. URL names are a contract (the access matrix uses them)."""

from django.urls import path

from . import views

app_name = "adminduk"
urlpatterns = [
    path("", views.results, name="results"),
    path("unggah/", views.upload, name="upload"),
    path("ekstrak/<int:pk>/", views.extract, name="extract"),
]
