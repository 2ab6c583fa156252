"""The OpenAPI documents of the project's APIs, as ``DUET["OPENAPI"]`` names them.

Each value is a source: ``"drf-spectacular"`` (Django REST framework's views, described by
drf-spectacular's own generator, as its ``spectacular`` command does), ``"django-duet"`` (plain
Django views declared with ``@json_api``, contract/views.py), or the dotted path of a
django-ninja ``NinjaAPI`` (its ``get_openapi_schema()``), of a function returning a document, or
of a document (a dict). The frameworks describe their own APIs: nothing here guesses a shape.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import import_string

from django_duet.exceptions import DuetError

DRF_SPECTACULAR = "drf-spectacular"
DJANGO_DUET = "django-duet"  # the plain views declared with @json_api (contract/views.py)
# A name becomes <name>.openapi.json and <name>.d.ts beside routes.ts and props.ts.
NAME = re.compile(r"\A[A-Za-z][A-Za-z0-9_-]*\Z")
RESERVED = frozenset({"routes", "props"})


class OpenApiSourceError(DuetError):
    def __init__(self, name: str, source: object, problem: str) -> None:
        self.name = name
        self.source = source
        super().__init__(f'DUET["OPENAPI"][{name!r}] = {source!r}: {problem}')


def check_name(name: object, source: object) -> str:
    if not isinstance(name, str) or not NAME.match(name) or name in RESERVED:
        raise OpenApiSourceError(
            str(name),
            source,
            "the name becomes a file name in TYPES_DIR: use letters, digits, '-' and '_', "
            "starting with a letter, and neither 'routes' nor 'props' (e.g. 'api').",
        )
    return name


def drf_spectacular_schema() -> dict[str, Any]:
    """What ``manage.py spectacular`` writes: drf-spectacular's generator, public, no request.

    With ``COMPONENT_SPLIT_REQUEST`` on unless SPECTACULAR_SETTINGS says otherwise, as
    drf-spectacular advises for client generators: a request body then has its own type
    (``NoteRequest``), without the read-only fields that only answers carry.
    """
    try:
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.settings import patched_settings
    except ImportError as exc:
        raise OpenApiSourceError(
            "", DRF_SPECTACULAR, "drf-spectacular is not installed: pip install drf-spectacular"
        ) from exc
    own = getattr(settings, "SPECTACULAR_SETTINGS", None) or {}
    patches = {} if "COMPONENT_SPLIT_REQUEST" in own else {"COMPONENT_SPLIT_REQUEST": True}
    with patched_settings(patches):
        schema: dict[str, Any] = SchemaGenerator().get_schema(  # type: ignore[no-untyped-call]
            request=None, public=True
        )
    return schema


def load_schema(name: str, source: object) -> dict[str, Any]:
    """The document ``source`` describes (see the module's docstring)."""
    if source == DRF_SPECTACULAR:
        return drf_spectacular_schema()
    if source == DJANGO_DUET:
        from django_duet.contract.views import views_schema

        return views_schema()
    found: object = source
    if isinstance(source, str):
        try:
            found = import_string(source)
        except ImportError as exc:
            raise OpenApiSourceError(
                name,
                source,
                f"cannot import it ({exc}). Write 'drf-spectacular', 'django-duet'"
                " or the dotted path of a NinjaAPI, of a function returning a document, or of one.",
            ) from exc
    schema_of = getattr(found, "get_openapi_schema", None)  # a NinjaAPI
    if callable(schema_of):
        found = schema_of()
    elif callable(found):
        found = found()
    if not isinstance(found, dict) or "paths" not in found:
        raise OpenApiSourceError(
            name, source, f"this is not an OpenAPI document (a dict with 'paths'): {type(found)}"
        )
    return found


def schema_json(schema: dict[str, Any]) -> str:
    """The document as the file holds it: the generator's key order, lazy strings resolved."""
    return json.dumps(schema, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False) + "\n"
