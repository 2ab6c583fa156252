"""The SPA preset at work: CORS on the endpoints for allowed vs other origins, cross-origin CSRF."""

from __future__ import annotations

from django.core import checks
from django.test import Client

from .helpers import APP_ORIGIN, USERNAME, get_token, login

EVIL = "http://evil.example.net"


def test_allowed_origin_may_read_the_csrf_answer_with_cookies(spa_settings, csrf_client):
    response = csrf_client.get("/api/auth/csrf/", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    assert "origin" in response["Vary"].lower()


def test_other_origin_gets_no_cors_headers(spa_settings, csrf_client):
    for origin in (EVIL, APP_ORIGIN + ".evil.net", "null", "https://app.example.test:5173"):
        response = csrf_client.get("/api/auth/csrf/", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response, origin
        assert "Access-Control-Allow-Credentials" not in response


def test_preflight_for_a_json_post_with_the_csrf_header(spa_settings):
    response = Client().options(
        "/api/auth/login/",
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-csrftoken",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-csrftoken"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_cross_origin_login_needs_a_trusted_origin(spa_settings, csrf_client, user):
    token = get_token(csrf_client)
    refused = login(csrf_client, token, HTTP_ORIGIN=EVIL)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert "Origin checking failed" in refused.json()["error"]["message"]
    assert "Access-Control-Allow-Origin" not in refused
    response = login(csrf_client, token, HTTP_ORIGIN=APP_ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.json()["user"]["username"] == USERNAME


def test_csrf_failure_answer_is_readable_by_the_spa(spa_settings, csrf_client, user):
    # The client must read {"error": {"code": "csrf_failed"}} to know it should refresh and retry.
    get_token(csrf_client)
    response = csrf_client.post(
        "/api/auth/logout/", headers={"Origin": APP_ORIGIN, "X-CSRFToken": "stale" * 8}
    )
    assert response.status_code == 403
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.json()["error"]["code"] == "csrf_failed"


def test_preset_setup_passes_every_check(spa_settings):
    messages = checks.run_checks(include_deployment_checks=False)
    ours = [m for m in messages if m.id and m.id.startswith(("duet.", "corsheaders."))]
    assert ours == []


def test_only_the_api_answers_other_origins(spa_settings, csrf_client):
    # The preset's default api_prefixes: ["/api/"]. Pages, the admin, static files: no CORS.
    api = csrf_client.get("/api/auth/csrf/", headers={"Origin": APP_ORIGIN})
    assert api["Access-Control-Allow-Origin"] == APP_ORIGIN
    for path in ("/form/", "/static/assets/admin-Adm1n000.js", "/admin/", "/apiary/"):
        response = csrf_client.get(path, headers={"Origin": APP_ORIGIN})
        assert "Access-Control-Allow-Origin" not in response, path
        assert "Access-Control-Allow-Credentials" not in response, path
        preflight = csrf_client.options(
            path, headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"}
        )
        assert "Access-Control-Allow-Origin" not in preflight, path
