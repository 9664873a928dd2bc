"""Period pages under /periode/. URL names are a contract (the access matrix uses them)."""

from django.urls import path

from . import views

app_name = "periods"
urlpatterns = [
    path("", views.period_list, name="list"),
    path("<str:key>/tutup/", views.close, name="close"),
    path("<str:a>/banding/<str:b>/", views.diff, name="diff"),
]
