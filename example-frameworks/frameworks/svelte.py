"""The Svelte 5 frontend's pages (URLs under /svelte/): the islands page, a page rendered in
Django's V8 and hydrated, and the client-routed app under /svelte/app/ (docs/frameworks.md).

Every page names the frontend ("svelte" in DUET["FRONTENDS"]): its build, manifest, server
bundle and dev server are its own.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path

from django_duet.views import client_routes

GREETING = {"name": "Svelte islands", "items": ["Props from Django", "Rendered in V8, hydrated"]}
COUNTER = {"label": "A client-rendered island", "start": 7}
ARTICLE = {
    "title": "Svelte in Django's V8",
    "summary": "A Svelte 5 component rendered by Django without Node.js, then hydrated.",
    "paragraphs": [
        "Django rendered this article with Svelte's own server renderer, inside its process.",
        "The browser adopted the HTML: the button below works without a second render.",
    ],
    "canonical": "http://127.0.0.1:8000/svelte/article/",
}


def islands(request: HttpRequest) -> HttpResponse:
    """A Django page with two Svelte islands: one rendered on the server, one in the browser."""
    return render(request, "frameworks/svelte.html", {"greeting": GREETING, "counter": COUNTER})


def article(request: HttpRequest) -> HttpResponse:
    """A Svelte component rendered in Django's V8 ({% duet_render %}), its head() in <head>."""
    props = {**ARTICLE, "canonical": request.build_absolute_uri()}
    return render(request, "frameworks/svelte_article.html", {"article": props})


urlpatterns: list[URLPattern | URLResolver] = [
    path("", islands, name="svelte-islands"),
    path("article/", article, name="svelte-article"),
    # The Svelte app's shell (svelte-frontend/app.html) for /svelte/app/ and every route below.
    client_routes("app/", "app.html", name="svelte-app", frontend="svelte"),
]
