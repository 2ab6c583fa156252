"""URLconf and pages of drf_ninja_site.py: the two APIs (drf_ninja_apis.py), django-duet's
session endpoints, a page per client mode, and two helpers for the tests.

Pages load the built ``django-duet/client`` (js/dist) through an import map, as a page without a
bundler would: ``/page/same/`` uses csrfFetch, ``/page/cross/`` (opened on the app origin) uses
createClient on the API's origin. Both expose ``window.duet.login`` and ``window.duet.write``.
"""

import os
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import rotate_token
from django.template import engines
from django.urls import include, path
from django.views.static import serve

from tests.e2e.drf_ninja_apis import WRITES, DrfNotes, ninja_api

# Read on each request (not scanned at startup): a rebuild of js/dist never leaves a 404 behind.
# DUET_SITE_CLIENT_DIST serves another build (e.g. an older client, to see these tests fail).
REPO_DIST = Path(__file__).resolve().parents[2] / "js" / "dist"
CLIENT_DIST = Path(os.environ.get("DUET_SITE_CLIENT_DIST") or REPO_DIST)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>DRF and ninja</title>
<script type="importmap">{"imports": {"django-duet/client": "{{ client_url }}"}}</script>
<script type="module">
import { createClient, csrfFetch } from "django-duet/client";
const { mode, api } = document.body.dataset;
const client = mode === "cross" ? createClient({ baseUrl: api }) : undefined;
const send = (url, init) => (client ? client.fetch(url, init) : csrfFetch(url, init));
const json = { "Content-Type": "application/json" };
const post = (url, data) =>
  send(url, { method: "POST", headers: json, body: JSON.stringify(data) });
window.duet = {
  async login(username, password) {
    if (client) return (await client.login(username, password)).username;
    const response = await post("/api/auth/login/", { username, password });
    return (await response.json()).user.username;
  },
  async write(framework, text) {
    const response = await post(`/api/${framework}/notes/`, { text });
    return { status: response.status, body: await response.json() };
  },
};
document.body.dataset.ready = "yes";
</script></head><body data-mode="{{ mode }}" data-api="{{ api }}"></body></html>"""


def page(request: HttpRequest, mode: str) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    context = {
        "mode": mode,
        "api": settings.DUET["API_ORIGIN"],
        "client_url": "/duet-client/client.js",
    }
    return HttpResponse(template.render(context, request))


def rotate(request: HttpRequest) -> HttpResponse:
    """Rotates the CSRF token, as anything that calls Django's rotate_token does."""
    rotate_token(request)
    return HttpResponse(
        '<!doctype html><link rel="icon" href="data:,"><title>rotated</title>rotated'
    )


def writes(request: HttpRequest) -> JsonResponse:
    return JsonResponse(WRITES, safe=False)


urlpatterns = [
    path("page/<str:mode>/", page),
    path("duet-client/<path:path>", serve, {"document_root": CLIENT_DIST}),
    path("rotate/", rotate),
    path("writes/", writes),
    path("api/auth/", include("django_duet.urls")),
    path("api/drf/notes/", DrfNotes.as_view()),
    path("api/ninja/", ninja_api.urls),
]
