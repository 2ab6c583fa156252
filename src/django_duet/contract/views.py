"""Plain Django JSON views in the API client: ``@json_api`` declares what a view takes and
answers (a TypedDict, a dataclass, a pydantic model, or any type pydantic reads), and
``DUET["OPENAPI"] = {"views": "django-duet"}`` describes every declared view of the URLconf as
an OpenAPI document, which ``duet types`` turns into TypeScript like DRF's and ninja's.

The JSON Schemas are pydantic's (``TypeAdapter.json_schemas``). The declaration describes the
view; it does not read or check the request (the view does, as before).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls import converters as django_converters
from django.urls.resolvers import RoutePattern

from django_duet.exceptions import DuetError

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "duet_json_api"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
INTEGER = (django_converters.IntConverter,)


@dataclass(frozen=True)
class Operation:
    method: str
    request: Any  # a type, or None for no body
    response: Any
    status: int
    summary: str


class JsonApiError(DuetError):
    pass


def json_api(
    method: str,
    *,
    request: Any = None,
    response: Any = None,
    status: int = 200,
    summary: str = "",
) -> Callable[[View], View]:
    """Declares one method of a view: ``@json_api("POST", request=NoteIn, response=Note,
    status=201)``. Stack one per method."""
    method = method.upper()
    if method not in METHODS:
        raise JsonApiError(f"@json_api({method!r}): the method is one of {sorted(METHODS)}.")

    def declare(view: View) -> View:
        declared = [
            *getattr(view, ATTRIBUTE, ()),
            Operation(method, request, response, status, summary),
        ]
        setattr(view, ATTRIBUTE, tuple(declared))
        return view

    return declare


def _declared(urlconf: str | None) -> list[tuple[str, dict[str, Any], Callable[..., Any]]]:
    """(OpenAPI path, {parameter: JSON Schema}, view) for each declared view's path() pattern."""
    found: list[tuple[str, dict[str, Any], Callable[..., Any]]] = []

    def walk(patterns: Any, prefix: str, converters: dict[str, Any]) -> None:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern) and str(entry.pattern):
                continue  # re_path(): no template to write (use path() for a declared view)
            route = prefix + str(entry.pattern)
            known = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, known)
            elif isinstance(entry, URLPattern) and getattr(entry.callback, ATTRIBUTE, None):
                params = {
                    match["name"]: {"type": "integer"}
                    if isinstance(known.get(match["name"]), INTEGER)
                    else {"type": "string"}
                    for match in PARAMETER.finditer(route)
                }
                path = "/" + PARAMETER.sub(lambda m: "{" + m["name"] + "}", route)
                found.append((path, params, entry.callback))

    walk(get_resolver(urlconf).url_patterns, "", {})
    return found


def views_schema(urlconf: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``@json_api`` view of the URLconf."""
    try:
        from pydantic import TypeAdapter
    except ImportError as exc:  # pragma: no cover - pydantic comes with django-ninja
        raise JsonApiError("@json_api's schemas need pydantic: pip install pydantic") from exc
    views = _declared(urlconf)
    adapters: list[tuple[Any, Any, TypeAdapter[Any]]] = []
    for index, (_, _, view) in enumerate(views):
        for operation in getattr(view, ATTRIBUTE):
            for kind, mode in (("request", "validation"), ("response", "serialization")):
                declared = getattr(operation, kind)
                if declared is not None:
                    key = (index, operation.method, kind)
                    adapters.append((key, mode, TypeAdapter(declared)))
    schemas, definitions = TypeAdapter.json_schemas(
        adapters, ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, Any] = {}
    for index, (path, params, view) in enumerate(views):
        item = paths.setdefault(path, {})
        for operation in reversed(getattr(view, ATTRIBUTE)):  # decorators apply bottom-up
            body: dict[str, Any] = {}
            if params:
                body["parameters"] = [
                    {"name": name, "in": "path", "required": True, "schema": schema}
                    for name, schema in params.items()
                ]
            if operation.summary:
                body["summary"] = operation.summary
            request = schemas.get(((index, operation.method, "request"), "validation"))
            if request is not None:
                body["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": request}},
                }
            response = schemas.get(((index, operation.method, "response"), "serialization"))
            answer: dict[str, Any] = {"description": HTTPStatus(operation.status).phrase}
            if response is not None:
                answer["content"] = {"application/json": {"schema": response}}
            body["responses"] = {str(operation.status): answer}
            item[operation.method.lower()] = body
    return {
        "openapi": "3.1.0",
        "info": {"title": "Django views", "version": "0"},
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {})},
    }
