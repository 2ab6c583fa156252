"""The API recorder's pure parts: shapes, redaction, and replay finding contract breaks."""

from __future__ import annotations

import json

import httpx

from django_duet.testing.recorder import ApiCall, load, redact, replay, shape, shape_breaks


def test_shapes_keep_names_and_types_not_values():
    answer = {"notes": [{"id": 1, "text": "a", "done": False, "tags": [], "due": None}]}
    assert shape(answer) == {
        "notes": [{"id": "number", "text": "string", "done": "boolean", "tags": [], "due": "null"}]
    }


def test_secrets_are_redacted():
    body, found = redact({"username": "demo", "password": "pw", "nested": {"refresh_token": "t"}})
    assert body == {
        "username": "demo",
        "password": "<redacted>",
        "nested": {"refresh_token": "<redacted>"},
    }
    assert found
    assert redact({"text": "hi"}) == ({"text": "hi"}, False)


def test_breaks_are_missing_fields_and_changed_types_not_additions():
    old = {"user": {"id": "number", "name": "string"}, "items": [{"id": "number"}]}
    new = {"user": {"id": "string", "email": "string"}, "items": [{"id": "number", "x": "null"}]}
    assert shape_breaks(old, new) == [
        "$.user.id: was number, now string",
        "$.user.name: missing (was string)",
    ]
    assert shape_breaks(old, {**old, "more": "string"}) == []


def api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/auth/csrf/":
        return httpx.Response(200, json={"csrfToken": "t", "headerName": "X-CSRFToken"})
    if request.url.path == "/api/items/" and request.method == "GET":
        return httpx.Response(200, json={"items": [{"id": 1, "title": "renamed"}]})
    if request.method == "POST":
        assert request.headers["x-csrftoken"] == "t"
        assert json.loads(request.content) == {"name": "x"}
        return httpx.Response(400, json={"error": {"code": "invalid_request"}})
    return httpx.Response(404)


def test_replay_reports_what_an_older_frontend_would_trip_on(tmp_path):
    calls = [
        ApiCall(
            "GET",
            "/api/items/",
            {},
            None,
            False,
            200,
            {"items": [{"id": "number", "name": "string"}]},
        ),
        ApiCall("POST", "/api/items/", {}, {"name": "x"}, False, 201, {"item": {"id": "number"}}),
        ApiCall("POST", "/api/auth/login/", {}, {"password": "<redacted>"}, True, 200, None),
        ApiCall("GET", "/api/gone/", {"page": ["2"]}, None, False, 200, None),
    ]
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({"test": "t", "calls": [call.__dict__ for call in calls]}))
    assert load(path) == calls
    with httpx.Client(transport=httpx.MockTransport(api), base_url="http://127.0.0.1") as client:
        assert replay(path, client) == [
            "GET /api/items/: $.items[].name: missing (was string)",
            "POST /api/items/: answered 201 then, 400 now",
            "GET /api/gone/: answered 200 then, 404 now",
        ]
