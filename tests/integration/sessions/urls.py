"""URLs for the session tests: the duet endpoints, and a plain form view outside them."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def form_view(request: HttpRequest) -> HttpResponse:
    # CSRF protected by the middleware, as any Django view: its failures get the HTML page.
    return HttpResponse("saved" if request.method == "POST" else "form")


urlpatterns = [
    path("api/auth/", include("django_duet.urls")),
    path("form/", form_view),
]
