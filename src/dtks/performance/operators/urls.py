"""Village operator scorecards (routes inside the performance namespace)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("operator/", views.operator_list, name="operators"),
    path("operator/<int:user_pk>/", views.operator_detail, name="operator"),
]
