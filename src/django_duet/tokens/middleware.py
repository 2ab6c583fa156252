"""``TokenAuthenticationMiddleware``: requests with a Bearer access token, for plain views.

Put it right after ``django.contrib.auth.middleware.AuthenticationMiddleware`` (duet.E058
checks it): that middleware sets ``request.user`` from the session, and this one replaces it
for Bearer requests. A refused token gets a 401 JSON answer before any view runs; a request
without a Bearer token passes untouched (sessions and their CSRF check work as before).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from django_duet.sync_async import SyncAndAsyncMiddleware
from django_duet.tokens.auth import aauthenticate, attach, authenticate
from django_duet.tokens.errors import TokenRefused, refusal_response

PATH = "django_duet.tokens.middleware.TokenAuthenticationMiddleware"


class TokenAuthenticationMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request: HttpRequest) -> Any:
        try:
            result = authenticate(request)
        except TokenRefused as exc:
            return refusal_response(exc)
        if result is None:
            return self.get_response(request)
        attach(request, *result)
        return _vary(self.get_response(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        try:
            result = await aauthenticate(request)
        except TokenRefused as exc:
            return refusal_response(exc)
        if result is None:
            return await self.get_response(request)  # type: ignore[no-any-return]
        attach(request, *result)
        return _vary(await self.get_response(request))


def _vary(response: HttpResponse) -> HttpResponse:
    # The answer depends on who the token says the caller is: no shared cache may mix them.
    patch_vary_headers(response, ("Authorization",))
    return response


View = Callable[..., Any]


def bearer_required(view: View) -> View:
    """Only Bearer-authenticated requests reach ``view``; others get 401 (sync or async view).

    For endpoints that only apps call. Views that serve both the web and apps check
    ``request.user.is_authenticated`` as usual instead.
    """
    refusal = TokenRefused("token_missing", "This endpoint needs an Authorization: Bearer token.")

    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if getattr(request, "duet_token", None) is None:
                return refusal_response(refusal)
            return await view(request, *args, **kwargs)

        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if getattr(request, "duet_token", None) is None:
            return refusal_response(refusal)
        return view(request, *args, **kwargs)

    return wrapper
