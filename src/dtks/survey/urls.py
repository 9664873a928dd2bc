"""The public satisfaction survey (IKM) under /ikm/. URL names are a contract (access-matrix
tests use them)."""

from django.urls import path

from . import views

app_name = "survey"
urlpatterns = [
    path("", views.results, name="results"),
    path("layanan/", views.service_create, name="service_create"),
    path("layanan/<int:pk>/", views.service_detail, name="service_detail"),
    path("s/<str:token>/", views.respond, name="respond"),
    path("terima-kasih/", views.thanks, name="thanks"),
]
