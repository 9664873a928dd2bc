from django.urls import include, path

from . import views

app_name = "proposals"

urlpatterns: list = [
    path("", views.batch_page, name="batch"),
    path("baru/<str:kind>/", views.proposal_create, name="create"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/ubah/", views.proposal_edit, name="edit"),
    path("<int:pk>/langkah/", views.proposal_step, name="step"),
    path("batch/<int:pk>/ajukan/", views.batch_submit, name="batch_submit"),
    path("batch/<int:pk>/sahkan/", views.batch_ratify, name="batch_ratify"),
    path("verifikasi/", views.verify_queue, name="queue"),
    path("finalisasi/", views.finalise_list, name="finalise_list"),
    path("pengesahan/", views.ratify_list, name="ratify_list"),
    path("pengesahan/", include("dtks.proposals.pack_views")),
    path("dokumen/", views.document_upload, name="document_upload"),
    path("dokumen/<int:pk>/", views.document_download, name="document"),
]
