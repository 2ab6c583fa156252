from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from django_duet.session_views import serialize_user
from django_duet.ssr import StreamingPage


def home(request: HttpRequest) -> HttpResponse:
    """A Django page with a React island that gets its props from Django."""
    user = request.user
    props = {
        "name": user.get_username() if user.is_authenticated else "Django",
        "items": ["Rendered by Django", "Hydrated by React", "Served by whitenoise"],
    }
    # The account island starts from what Django knows; it logs in and out through the API.
    account = {"user": serialize_user(user) if user.is_authenticated else None}
    context = {"props": props, "account": account, "now": timezone.now()}
    return render(request, "example/home.html", context)


def islands(request: HttpRequest) -> HttpResponse:
    """Islands with each load strategy, and one rendered on the server ({% duet_island %})."""
    context = {
        "greeting": {"name": "islands", "items": ["Props from Django", "Mounted on load"]},
        "stock": {"item": "lamps", "count": 3},
        "tip": {"text": "idle islands wait for a quiet moment"},
        "reviews": {
            "reviews": [
                {"author": "Ada", "text": "Loaded when I scrolled here."},
                {"author": "Grace", "text": "Not one byte before."},
            ]
        },
    }
    return render(request, "example/islands.html", context)


PRODUCT = {
    "slug": "duet-desk-lamp",
    "name": "Duet desk lamp",
    "summary": "A warm desk lamp, rendered on the server for search engines & hydrated by React.",
    "priceCents": 4990,
    "features": ["Rendered in V8 inside Django", "No Node.js in production", "Hydrated in place"],
}


def ssr_product(request: HttpRequest) -> HttpResponse:
    """A product page rendered to HTML on the server ({% duet_render %}), then hydrated."""
    props = {"product": PRODUCT, "canonicalUrl": request.build_absolute_uri(request.path)}
    return render(request, "example/ssr_product.html", {"props": props})


REVIEWS = [
    {"author": "Ada", "text": "Bright enough to read by, warm enough to think by."},
    {"author": "Grace", "text": "The page showed the lamp at once; these reviews came later."},
]


def ssr_stream(request: HttpRequest) -> HttpResponse | StreamingPage:
    """A streamed server render: the product leaves at once, its slow reviews (a Suspense
    boundary waiting ``delay`` ms in V8) stream in when they come, then React hydrates."""
    delay = min(int(request.GET.get("delay", "1500")), 5000)
    props = {"product": PRODUCT, "reviews": REVIEWS, "delayMs": delay}
    # The budget covers the whole stream: the reviews' delay plus room to render.
    page = StreamingPage(
        request,
        "example/ssr_stream.html",
        component="ReviewsPage",
        props=props,
        budget_ms=delay + 2000,
    )
    if request.GET.get("buffered") and not page.is_async:
        # The same page sent once complete, as a render that waits for its data would send
        # it: the baseline of bench/bench_ssr_stream.py (WSGI).
        return HttpResponse(b"".join(page), content_type=page["Content-Type"])
    return page


def staff(request: HttpRequest) -> HttpResponse:
    """The staff tools page: the example's second frontend ("staff" in DUET["FRONTENDS"])."""
    user = request.user
    props = {"username": user.get_username() if user.is_authenticated else None}
    return render(request, "example/staff.html", {"props": props})


REVIEW_QUEUE = {
    "queue": "Review queue",
    "items": [{"id": 1, "title": "Refund for order 1042"}, {"id": 2, "title": "New seller"}],
}


def staff_queue(request: HttpRequest) -> HttpResponse:
    """A staff page rendered on the server from the staff frontend's own server bundle."""
    return render(request, "example/staff_queue.html", {"props": REVIEW_QUEUE})
