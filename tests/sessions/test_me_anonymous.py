"""me/ for a page that asks who is logged in on every load: ?anonymous=ok answers 200
{"user": null}, which browsers do not log as an error; without it, 401 as before."""

from __future__ import annotations

from .helpers import PASSWORD, USERNAME, get_token, login


def test_anonymous_ok_is_200_with_no_user(csrf_client, user):
    response = csrf_client.get("/api/auth/me/?anonymous=ok")
    assert response.status_code == 200
    assert response.json() == {"user": None}
    assert "no-store" in response["Cache-Control"]  # per session, like every answer of me/


def test_without_the_parameter_me_still_answers_401(csrf_client, user):
    for query in ("", "?anonymous=1", "?anonymous="):
        response = csrf_client.get(f"/api/auth/me/{query}")
        assert response.status_code == 401, query
        assert response.json()["error"]["code"] == "not_authenticated"


def test_a_logged_in_user_is_the_same_answer_either_way(csrf_client, user):
    assert login(csrf_client, get_token(csrf_client), USERNAME, PASSWORD).status_code == 200
    plain = csrf_client.get("/api/auth/me/")
    allowed = csrf_client.get("/api/auth/me/?anonymous=ok")
    assert plain.status_code == allowed.status_code == 200
    assert plain.json() == allowed.json()
    assert allowed.json()["user"]["username"] == USERNAME
