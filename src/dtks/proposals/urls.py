from django.urls import include, path

app_name = "proposals"

urlpatterns: list = [
    path("pengesahan/", include("dtks.proposals.pack_views")),
]
