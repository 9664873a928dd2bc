"""Import and export pages under /impor/. URL names are a contract (the access matrix uses them)."""

from django.urls import path

from . import views, views_export

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/batal/", views.batch_cancel, name="batch_cancel"),
    path("<int:pk>/laporan/", views.batch_report, name="batch_report"),
    path("ekspor/", views_export.export, name="export"),
    path("templat/", views_export.template_list, name="template_list"),
    path("templat/<str:code>/", views_export.template_download, name="template_download"),
]
