"""The example's own JSON API: notes of the logged-in user, behind Django's CSRF protection.

Nothing here is special to django-duet: a plain view, protected by CsrfViewMiddleware like any
other, answering with the same error shape as the duet endpoints (django_duet.jsonapi).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse

from django_duet.jsonapi import InvalidRequest, error, json_endpoint, read_fields

from .models import Note

MAX_NOTES = 50  # per answer: the example lists the latest ones


def note_json(note: Note) -> dict[str, object]:
    return {"id": note.pk, "text": note.text, "created": note.created.isoformat()}


@json_endpoint("GET", "POST")
def notes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return error(401, "not_authenticated", "Log in to read and write notes.")
    if request.method == "POST":
        try:
            text = read_fields(request, ("text",))["text"].strip()
        except InvalidRequest as exc:
            return error(400, "invalid_request", str(exc))
        if not text or len(text) > Note._meta.get_field("text").max_length:
            return error(400, "invalid_request", "A note is 1 to 200 characters of text.")
        note = Note.objects.create(owner=request.user, text=text)
        return JsonResponse({"note": note_json(note)}, status=201)
    latest = request.user.notes.order_by("-created", "-id")[:MAX_NOTES]
    return JsonResponse({"notes": [note_json(n) for n in reversed(latest)]})
