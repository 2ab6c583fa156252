"""Plain Django JSON views declared with @json_api (TypedDict, dataclass and pydantic), for
the "django-duet" source of DUET["OPENAPI"] (test_api_views.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NotRequired  # pydantic wants these before 3.12

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from pydantic import BaseModel
from typing_extensions import TypedDict

from django_duet.contract.views import json_api


class NoteIn(TypedDict):
    text: str
    pinned: NotRequired[bool]


@dataclass
class Note:
    id: int
    text: str
    pinned: bool


class Stats(BaseModel):
    count: int
    last: str | None = None


@json_api("GET", response=list[Note])
@json_api("POST", request=NoteIn, response=Note, status=201)
def notes(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        data = json.loads(request.body)
        return JsonResponse({"id": 1, "pinned": False, **data}, status=201)
    return JsonResponse([], safe=False)


@json_api("GET", response=Note)
@json_api("DELETE")
def note(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse({"id": pk, "text": "", "pinned": False})


@json_api("GET", response=Stats, summary="How many notes")
def stats(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": 0, "last": None})


def undeclared(request: HttpRequest) -> JsonResponse:
    return JsonResponse({})


notes_urls = ([path("", notes), path("<int:pk>/", note), path("stats/", stats)], "notes")
urlpatterns = [
    path("api/notes/", include(notes_urls)),
    path("api/other/<slug:name>/", undeclared),
]
