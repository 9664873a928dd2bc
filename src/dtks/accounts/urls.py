"""Login and logout. The names `login` and `logout` are global (settings.LOGIN_URL uses them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
]
