"""Test aid: with DUET_EXAMPLE_BACKEND_ID set, say which app server answered (load balancing)."""

import os
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def backend_id(get_response: Callable[[HttpRequest], HttpResponse]):
    name = os.environ.get("DUET_EXAMPLE_BACKEND_ID", "")

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response["X-Example-Backend"] = name
        response["X-Example-Scheme"] = request.scheme
        response["X-Example-Forwarded-For"] = request.META.get("HTTP_X_FORWARDED_FOR", "")
        return response

    return middleware
