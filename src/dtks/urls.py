from django.urls import include, path

urlpatterns = [
    path("", include("dtks.reports.urls")),
    path("", include("dtks.accounts.urls")),
    path("keluarga/", include("dtks.registry.urls")),
    path("temuan/", include("dtks.verification.urls")),
    path("kelayakan/", include("dtks.eligibility.urls")),
    path("impor/", include("dtks.imports.urls")),
    path("padan/", include("dtks.adminduk.urls")),
    path("ganda/", include("dtks.dedup.urls")),
    path("jadwal/", include("dtks.schedule.urls")),
    path("usulan/", include("dtks.proposals.urls")),
    path("periode/", include("dtks.periods.urls")),
    path("bimtek/", include("dtks.training.urls")),
    path("ikm/", include("dtks.survey.urls")),
    path("kinerja/", include("dtks.performance.urls")),
    path("api/", include("dtks.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
