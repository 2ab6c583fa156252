"""``path("api/auth/", include("django_duet.urls"))``: the JSON session endpoints.

URL names (namespace "duet"): ``duet:csrf``, ``duet:login``, ``duet:logout``, ``duet:me``.
"""

from django.urls import include, path

from django_duet.sessions import views as session_views

app_name = "duet"

urlpatterns = [
    path("csrf/", session_views.csrf, name="csrf"),
    path("login/", session_views.login_view, name="login"),
    path("logout/", session_views.logout_view, name="logout"),
    path("me/", session_views.me, name="me"),
    path("", include("django_duet.tokens.urls")),  # token/, token/refresh/, token/revoke/...
]
