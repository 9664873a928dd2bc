"""Eligibility pages under /kelayakan/. URL names are a contract (access-matrix tests use them)."""

from django.urls import path

from . import views

app_name = "eligibility"
urlpatterns = [
    path("", views.flagged, name="flagged"),
    path("kriteria/", views.criteria, name="criteria"),
    path("kriteria/ubah/", views.criteria_edit, name="criteria_edit"),
    path("simulasi-desil/", views.whatif, name="whatif"),
    path("simulasi-desil/keluarga/", views.whatif_families, name="whatif_families"),
]
