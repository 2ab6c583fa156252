"""The session + token endpoints, plus protected views of each kind: plain (sync and async),
app-only, Django REST Framework and django-ninja."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_duet.tokens.drf import DuetTokenAuthentication
from django_duet.tokens.middleware import bearer_required
from django_duet.tokens.ninja import DuetBearer, add_error_handler


def _answer(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": {"code": "not_authenticated"}}, status=401)
    via = "token" if getattr(request, "duet_token", None) else "session"
    return JsonResponse({"user": request.user.get_username(), "method": request.method, "via": via})


def notes(request: HttpRequest) -> JsonResponse:
    return _answer(request)


async def async_notes(request: HttpRequest) -> JsonResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": {"code": "not_authenticated"}}, status=401)
    return JsonResponse({"user": user.get_username(), "method": request.method})


@bearer_required
def app_only(request: HttpRequest) -> JsonResponse:
    return _answer(request)


class DrfWhoAmI(APIView):
    authentication_classes = [DuetTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "via": type(request.auth).__name__})

    def post(self, request: Request) -> Response:
        return self.get(request)


api = NinjaAPI(auth=[DuetBearer(), django_auth], urls_namespace="tokens-test")
add_error_handler(api)
plain_api = NinjaAPI(auth=[DuetBearer()], urls_namespace="tokens-test-plain")


@api.get("/whoami")
def ninja_whoami(request: HttpRequest) -> dict[str, Any]:
    return {"user": request.auth.get_username()}


@api.post("/whoami")
def ninja_post(request: HttpRequest) -> dict[str, Any]:
    return {"user": request.auth.get_username()}


@plain_api.get("/whoami")
def plain_whoami(request: HttpRequest) -> dict[str, Any]:
    return {"user": request.auth.get_username()}


urlpatterns = [
    path("api/auth/", include("django_duet.urls")),
    path("api/notes/", notes),
    path("api/async-notes/", async_notes),
    path("api/app-only/", app_only),
    path("api/drf/whoami/", DrfWhoAmI.as_view()),
    path("api/ninja/", api.urls),
    path("api/ninja-plain/", plain_api.urls),
]
