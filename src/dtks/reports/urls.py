"""The dashboard at "/" (URL name `dashboard`, global)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
