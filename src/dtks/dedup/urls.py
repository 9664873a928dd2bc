"""Duplicate review pages under /ganda/. URL names are a contract (access-matrix tests use them)."""

from django.urls import path

from . import views

app_name = "dedup"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.pair_detail, name="pair"),
    path("<int:pk>/putuskan/", views.decide, name="decide"),
    path("<int:pk>/batalkan/", views.unmerge, name="unmerge"),
]
