"""Registry pages under /keluarga/. URL names are a contract (access-matrix tests use them)."""

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.family_list, name="family_list"),
    path("baru/", views.family_create, name="family_create"),
    path("<int:pk>/", views.family_detail, name="family_detail"),
    path("<int:pk>/ubah/", views.family_edit, name="family_edit"),
    path("<int:pk>/anggota/baru/", views.member_add, name="member_add"),
    path("<int:pk>/anggota/<int:person_pk>/ubah/", views.member_edit, name="member_edit"),
    path("<int:pk>/anggota/<int:person_pk>/keluar/", views.member_end, name="member_end"),
    path("petugas-terdaftar/", views.officers_in_registry, name="officers_in_registry"),
]
