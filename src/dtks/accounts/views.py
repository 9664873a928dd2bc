"""Login (rate-limited by django-axes: five failures lock the username+IP pair) and logout.

Logout answers POST only, so a link on another site cannot sign a user out.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from .forms import LoginForm

login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view()
