"""URLs for the session tests: the duet endpoints, a plain form view, and a user's JSON view."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from django_duet.jsonapi import json_endpoint, read_fields


def form_view(request: HttpRequest) -> HttpResponse:
    # CSRF protected by the middleware, as any Django view: its failures get the HTML page.
    return HttpResponse("saved" if request.method == "POST" else "form")


@json_endpoint("POST")
def echo(request: HttpRequest) -> HttpResponse:
    # A user's view that leaves read_fields' InvalidRequest to json_endpoint.
    return JsonResponse(read_fields(request, ("text",)))


urlpatterns = [
    path("api/auth/", include("django_duet.urls")),
    path("form/", form_view),
    path("echo/", echo),
]
