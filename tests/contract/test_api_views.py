"""Plain Django JSON views in the API client: ``@json_api`` on views of the URLconf (TypedDict,
dataclass, pydantic) and DUET["OPENAPI"] = {"views": "django-duet"} give the same
openapi-typescript types and openapi-fetch client as DRF and ninja; tsc refuses a wrong call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client, override_settings

from django_duet.contract.views import JsonApiError, json_api, views_schema
from tests.contract.api_support import duet_types, scratch_frontend, tsc

URLCONF = "tests.contract.views_fixture"
USAGE = """
import createClient from "openapi-fetch";
import { csrfFetch } from "django-duet/client";
import type { paths } from "./duet/views";

const views = createClient<paths>({ fetch: csrfFetch });

export async function run(): Promise<string> {
  const created = await views.POST("/api/notes/", { body: { text: "Milk", pinned: true } });
  const listed = await views.GET("/api/notes/");
  const one = await views.GET("/api/notes/{pk}/", { params: { path: { pk: 3 } } });
  await views.DELETE("/api/notes/{pk}/", { params: { path: { pk: 3 } } });
  const stats = await views.GET("/api/notes/stats/");
  const last: string | null | undefined = stats.data?.last;
  return `${created.data?.id} ${listed.data?.length} ${one.data?.pinned} ${last}`;
}
"""


def test_the_document_describes_each_declared_view_and_nothing_else() -> None:
    schema = views_schema(URLCONF)
    assert schema["openapi"] == "3.1.0"
    assert {path: sorted(item) for path, item in schema["paths"].items()} == {
        "/api/notes/": ["get", "post"],
        "/api/notes/{pk}/": ["delete", "get"],
        "/api/notes/stats/": ["get"],
    }  # /api/other/<slug:name>/ declares nothing: left out
    post = schema["paths"]["/api/notes/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NoteIn"
    }
    assert list(post["responses"]) == ["201"]
    [pk] = schema["paths"]["/api/notes/{pk}/"]["get"]["parameters"]
    assert pk == {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer"}}
    components = schema["components"]["schemas"]
    assert components["NoteIn"]["required"] == ["text"]  # NotRequired[bool] pinned
    assert set(components["Note"]["properties"]) == {"id", "text", "pinned"}
    assert components["Stats"]["properties"]["last"]["anyOf"] == [
        {"type": "string"},
        {"type": "null"},
    ]


def test_the_declared_view_answers_as_before() -> None:
    with override_settings(ROOT_URLCONF=URLCONF):
        answer = Client().post("/api/notes/", {"text": "a"}, content_type="application/json")
    assert answer.status_code == 201
    assert answer.json() == {"id": 1, "pinned": False, "text": "a"}


def test_a_method_that_http_has_not_is_refused() -> None:
    with pytest.raises(JsonApiError, match="'FETCH'"):
        json_api("fetch")


def test_duet_types_writes_the_views_types_that_tsc_checks(tmp_path: Path) -> None:
    frontend = scratch_frontend(tmp_path, USAGE)
    settings = {"FRONTEND_DIR": frontend, "OPENAPI": {"views": "django-duet"}}
    with override_settings(ROOT_URLCONF=URLCONF, DUET=settings):
        duet_types()
        assert "up to date: 3 file(s)" in duet_types("--check")
    folder = frontend / "src" / "duet"
    assert json.loads((folder / "views.openapi.json").read_text()) == views_schema(URLCONF)
    done = tsc(frontend)
    assert done.returncode == 0, done.stdout
    # A field the TypedDict does not have, and a missing required one: tsc names both.
    usage = frontend / "src" / "usage.ts"
    usage.write_text(USAGE.replace('{ text: "Milk", pinned: true }', '{ txt: "Milk" }'))
    done = tsc(frontend)
    assert done.returncode != 0
    assert "'txt'" in done.stdout, done.stdout
