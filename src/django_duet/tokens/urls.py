"""The token routes, included by ``django_duet.urls`` (names ``duet:token``, ...)."""

from django.urls import path

from django_duet.tokens import views

urlpatterns = [
    path("token/", views.obtain, name="token"),
    path("token/refresh/", views.refresh_view, name="token-refresh"),
    path("token/revoke/", views.revoke_view, name="token-revoke"),
    path("token/revoke-all/", views.revoke_all_view, name="token-revoke-all"),
]
