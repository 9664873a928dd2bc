"""Login and logout (names `login` and `logout` are global: settings.LOGIN_URL uses them), and
the user-administration pages under /pengguna/ (namespace `users`). URL names are a contract
(the access-matrix tests use them)."""

from django.urls import include, path

from . import views

user_patterns = [
    path("", views.user_list, name="user_list"),
    path("baru/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/peran/baru/", views.role_assign, name="role_assign"),
    path("<int:pk>/peran/<int:assignment_pk>/cabut/", views.role_revoke, name="role_revoke"),
    path("<int:pk>/status/", views.user_set_active, name="user_set_active"),
    path("<int:pk>/kata-sandi/", views.password_reset, name="password_reset"),
    path("<int:pk>/identitas/", views.user_identity, name="user_identity"),
]

urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("pengguna/", include((user_patterns, "users"))),
]
