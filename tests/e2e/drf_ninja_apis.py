"""The two APIs of drf_ninja_site.py, each as its framework's docs write it: a DRF view on
DRF's default authentication (SessionAuthentication first) and a django-ninja operation with
``auth=django_auth``. Both check CSRF themselves and answer a failure in their own shape.

``WRITES`` records each write a view stored (the site runs one single-threaded worker), so a
test can tell a write that was lost, or stored twice, from one stored once.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

WRITES: list[dict[str, str]] = []


class DrfNotes(APIView):  # type: ignore[misc]  # DRF ships no types
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        text = str(request.data["text"])
        WRITES.append({"api": "drf", "text": text})
        return Response({"text": text}, status=201)


ninja_api = NinjaAPI(urls_namespace="ninja_notes")


class Note(Schema):
    text: str


@ninja_api.post("/notes/", auth=django_auth, response={201: Note})
def ninja_notes(request: HttpRequest, note: Note) -> tuple[int, Note]:
    WRITES.append({"api": "ninja", "text": note.text})
    return 201, note
