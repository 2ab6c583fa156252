"""docs/spa.md's signup view, verbatim: what replaces Django's signup page for an SPA (the docs
test compares the page's block with this file)."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse

from django_duet.jsonapi import error, json_endpoint, read_fields


@json_endpoint("POST")
def signup(request: HttpRequest) -> HttpResponse:
    fields = read_fields(request, ("username", "password"))  # else a JSON 400
    user = get_user_model()(username=fields["username"])
    try:
        user.full_clean(exclude=["password"])  # the username's rules, and taken or not
        password_validation.validate_password(fields["password"], user)
    except ValidationError as exc:
        return error(400, "invalid_request", " ".join(exc.messages))
    user.set_password(fields["password"])
    user.save()
    return JsonResponse({"user": {"id": user.pk, "username": user.username}}, status=201)
