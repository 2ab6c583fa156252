from django.contrib import admin
from django.urls import include, path

from django_duet.views import client_routes

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    # Every route of the React Router section (deep links, reloads) gets the built index.html.
    client_routes("app/", "index.html", name="app"),
    # Islands: each load strategy ({% duet_island ... load="visible" %}), one server-rendered.
    path("islands/", views.islands, name="islands"),
    # A product page rendered by React inside Django (V8), then hydrated in the browser.
    path("ssr/", views.ssr_product, name="ssr"),
    # The same render streamed: the shell first, a slow Suspense boundary when it resolves.
    path("ssr/stream/", views.ssr_stream, name="ssr-stream"),
    # The second frontend (DUET["FRONTENDS"]["staff"]): its own build, served beside the first.
    path("staff/", views.staff, name="staff"),
    path("staff/queue/", views.staff_queue, name="staff-queue"),
    path("admin/", admin.site.urls),
    # JSON: csrf/, login/, logout/, me/ for both the island on "/" and the SPA.
    path("api/auth/", include("django_duet.urls")),
    path("api/notes/", api.notes, name="notes"),
]
