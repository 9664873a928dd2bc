"""Findings pages under /temuan/. URL names are a contract (access-matrix tests use them)."""

from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("antrian/", views.queue, name="queue"),
    path("periksa/<int:family_pk>/", views.recheck, name="recheck"),
    path("<int:pk>/kecualikan/", views.waive, name="waive"),
]
