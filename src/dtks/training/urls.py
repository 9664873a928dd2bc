"""Bimtek, budget lines and facility needs under /bimtek/. URL names are a contract (the
access-matrix tests use them)."""

from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("saya/", views.mine, name="mine"),
    path("sesi/baru/", views.session_create, name="session_create"),
    path("sesi/<int:pk>/", views.session_detail, name="session_detail"),
    path("sesi/<int:pk>/ubah/", views.session_edit, name="session_edit"),
    path("sesi/<int:pk>/kehadiran/", views.attendance, name="attendance"),
    path("sesi/<int:pk>/materi/", views.material_upload, name="material_upload"),
    path("materi/<int:pk>/", views.material, name="material"),
    path("rencana/<int:year>/", views.plan, name="plan"),
    path("belum-dilatih/", views.untrained, name="untrained"),
    path("anggaran/", views.budget, name="budget"),
    path("anggaran/baru/", views.budget_line_create, name="budget_line_create"),
    path("anggaran/<int:pk>/ubah/", views.budget_line_edit, name="budget_line_edit"),
    path("sarana/", views.facilities, name="facilities"),
]
