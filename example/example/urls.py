from django.contrib import admin
from django.urls import path

from django_duet.views import client_routes

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Every route of the React Router section (deep links, reloads) gets the built index.html.
    client_routes("app/", "index.html", name="app"),
    path("admin/", admin.site.urls),
]
