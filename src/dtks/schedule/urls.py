"""Monthly windows under /jadwal/. URL names are a contract (access-matrix tests use them)."""

from django.urls import path

from . import views

app_name = "schedule"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("atur/", views.manage, name="manage"),
    path("perpanjangan/<int:pk>/tutup/", views.extension_close, name="extension_close"),
    path("kesiapan/", views.readiness, name="readiness"),
]
