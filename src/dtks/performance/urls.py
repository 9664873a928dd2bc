"""Staff and organisation performance under /kinerja/. URL names are a contract (access-matrix
tests use them)."""

from django.urls import path

from . import views
from .operators.urls import urlpatterns as operator_urls

app_name = "performance"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("predikat/", views.rate_organisation, name="rate_organisation"),
    path("indikator/", views.indicator_target, name="indicator_target"),
    path("laporan/", views.unit, name="unit_report"),
    path("pegawai/", views.employees, name="employees"),
    path("pegawai/<int:pk>/<int:year>/", views.appraisal, name="appraisal"),
    *operator_urls,
]
