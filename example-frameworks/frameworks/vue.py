"""The Vue 3 frontend's pages (URLs under /vue/): islands, a page rendered by Vue inside Django
(V8), and a vue-router app under /vue/app/. The frontend is vue-frontend/, the default one."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from django_duet.ssr import StreamingPage
from django_duet.views import client_routes


def islands(request: HttpRequest) -> HttpResponse:
    """A Django page with two Vue islands: one rendered by Django and hydrated, one rendered
    in the browser, both with props from Django ({% duet_island %})."""
    context = {
        "greeting": {
            "name": "Vue islands",
            "items": ["Props from Django", "Rendered in V8, hydrated"],
        },
        "counter": {"label": "A client-rendered island", "start": 7},
    }
    return render(request, "frameworks/vue.html", context)


PRODUCT = {
    "name": "Duet desk lamp",
    "summary": "A warm desk lamp, rendered by Vue inside Django & hydrated in the browser.",
    "price": 49.9,
    "features": ["Rendered in V8 inside Django", "No Node.js in production", "Hydrated in place"],
}


def ssr_product(request: HttpRequest) -> HttpResponse:
    """A product page rendered to HTML by Vue in Django's V8 ({% duet_render %}), its title and
    meta tags from the component's head() call, then hydrated in the browser."""
    props = {"product": PRODUCT, "canonicalUrl": request.build_absolute_uri(request.path)}
    return render(request, "frameworks/vue_ssr.html", {"props": props})


REVIEWS = [
    {"author": "Ada", "text": "Bright enough to read by, warm enough to think by."},
    {"author": "Grace", "text": "The page showed the lamp at once; these reviews came later."},
]


def ssr_stream(request: HttpRequest) -> StreamingPage:
    """The product page streamed: Vue's HTML leaves as Vue writes it, the lamp at once, the
    reviews (an async component waiting ``delay`` ms in V8) when they come; then hydrated."""
    delay = min(int(request.GET.get("delay", "1500")), 5000)
    props = {
        "product": PRODUCT,
        "canonicalUrl": request.build_absolute_uri(request.path),
        "reviews": REVIEWS,
        "delayMs": delay,
    }
    # The budget covers the whole stream: the reviews' delay plus room to render.
    return StreamingPage(
        request,
        "frameworks/vue_stream.html",
        component="ReviewsPage",
        props=props,
        budget_ms=delay + 2000,
    )


urlpatterns = [
    path("", islands, name="vue-islands"),
    path("ssr/", ssr_product, name="vue-ssr"),
    path("ssr/stream/", ssr_stream, name="vue-ssr-stream"),
    # Every route of the vue-router app (deep links, reloads) gets the built index.html, with
    # <meta name="duet-base" content="/vue/app/"> for the router's base.
    client_routes("app/", "index.html", name="vue-app"),
]
