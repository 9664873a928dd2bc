"""Registry pages under /keluarga/. URL names are a contract (access-matrix tests use them)."""

from django.urls import path

from . import held_views, views

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
    path("persetujuan/", held_views.held_list, name="held_list"),
    path("persetujuan/<int:pk>/", held_views.held_detail, name="held_detail"),
    path("persetujuan/<int:pk>/setujui/", held_views.held_approve, name="held_approve"),
    path("persetujuan/<int:pk>/tolak/", held_views.held_refuse, name="held_refuse"),
    path("persetujuan/<int:pk>/tarik/", held_views.held_withdraw, name="held_withdraw"),
]
