"""URLconf of spa_static_api.py: the example's URLs (django_duet.urls at /api/auth/, the plain
JSON view /api/notes/), the signup view of docs/spa.md, a DRF view that writes the same notes,
and ``rotate/``, which rotates the CSRF token as anything calling Django's rotate_token does."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from example.api import note_json
from example.models import Note
from example.urls import urlpatterns as example_urls
from tests.e2e import spa_static_accounts as views


class DrfNotes(APIView):  # type: ignore[misc]  # DRF ships no types
    """A write through DRF's SessionAuthentication, which checks CSRF itself."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        text = str(request.data.get("text") or "").strip()
        if not text:
            return Response({"detail": "A note needs text."}, status=400)
        note = Note.objects.create(owner=request.user, text=text)
        return Response({"note": note_json(note)}, status=201)


def rotate(request: HttpRequest) -> HttpResponse:
    rotate_token(request)
    return HttpResponse(
        '<!doctype html><link rel="icon" href="data:,"><title>rotated</title>rotated'
    )


urlpatterns = [
    *example_urls,
    path("api/accounts/signup/", views.signup),
    path("api/drf/notes/", DrfNotes.as_view()),
    path("rotate/", rotate),
]
