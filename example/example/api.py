"""The example's own JSON API: notes of the logged-in user, behind Django's CSRF protection.

Nothing here is special to django-duet: a plain view, protected by CsrfViewMiddleware like any
other, answering with the same error shape as the duet endpoints (django_duet.jsonapi).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from typing_extensions import TypedDict  # pydantic reads typing's only from Python 3.12

from django_duet.contract.views import json_api
from django_duet.jsonapi import InvalidRequest, error, json_endpoint, read_fields

from . import models

MAX_NOTES = 50  # per answer: the example lists the latest ones


# What the frontend sends and gets: `duet types` (DUET["OPENAPI"] = {"api": "django-duet"})
# writes them to frontend/src/duet/api.d.ts, which the frontend's openapi-fetch client uses.
class Note(TypedDict):
    id: int
    text: str
    created: str  # ISO 8601


class NoteList(TypedDict):
    notes: list[Note]


class NewNote(TypedDict):
    text: str


class NoteCreated(TypedDict):
    note: Note


def note_json(note: models.Note) -> Note:
    return {"id": note.pk, "text": note.text, "created": note.created.isoformat()}


@json_api("GET", response=NoteList)
@json_api("POST", request=NewNote, response=NoteCreated, status=201)
@json_endpoint("GET", "POST")
def notes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return error(401, "not_authenticated", "Log in to read and write notes.")
    if request.method == "POST":
        try:
            text = read_fields(request, ("text",))["text"].strip()
        except InvalidRequest as exc:
            return error(400, "invalid_request", str(exc))
        if not text or len(text) > models.Note._meta.get_field("text").max_length:
            return error(400, "invalid_request", "A note is 1 to 200 characters of text.")
        note = models.Note.objects.create(owner=request.user, text=text)
        return JsonResponse({"note": note_json(note)}, status=201)
    latest = request.user.notes.order_by("-created", "-id")[:MAX_NOTES]
    return JsonResponse({"notes": [note_json(n) for n in reversed(latest)]})
