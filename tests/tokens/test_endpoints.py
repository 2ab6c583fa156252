"""token/, token/refresh/, token/revoke/, token/revoke-all/: rotation, theft detection,
revocation by logout, logout of all devices, password change and deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from django_duet.models import RefreshToken, RefreshTokenFamily
from django_duet.tokens import refresh

from .conftest import PASSWORD, bearer, login


def post(client, url, data=None, **extra):
    return client.post(f"/api/auth/{url}", data or {}, content_type="application/json", **extra)


def do_refresh(client, token):
    return post(client, "token/refresh/", {"refresh_token": token})


def code(response) -> str:
    return response.json()["error"]["code"]


def test_login_answers_a_token_pair(app, user):
    response = login(app)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["refresh_expires_in"] == 14 * 24 * 3600
    assert body["user"]["username"] == "ada"
    assert body["refresh_token"].startswith("duet_rt_")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # nothing for a browser to attach to later requests
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_refresh_token_is_stored_as_a_hash(app, user):
    token = login(app).json()["refresh_token"]
    row = RefreshToken.objects.get()
    assert row.token_hash == refresh.hash_token(token)
    assert token not in row.token_hash
    assert not RefreshToken.objects.filter(token_hash=token).exists()


@pytest.mark.parametrize(
    "fields", [{"username": "ada", "password": "wrong"}, {"username": "bob", "password": PASSWORD}]
)
def test_wrong_credentials(app, user, fields):
    response = post(app, "token/", fields)
    assert response.status_code == 401
    assert code(response) == "invalid_credentials"
    assert not RefreshTokenFamily.objects.exists()


@pytest.mark.parametrize("body", ['{"username": "ada"}', "[1]", "not json"])
def test_bad_login_bodies(app, user, body):
    response = app.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert code(response) == "invalid_request"


def test_only_post(app, user):
    assert app.get("/api/auth/token/").status_code == 405
    assert app.get("/api/auth/token/refresh/").status_code == 405


def test_the_web_login_and_the_token_login_share_one_throttle(app, user, settings):
    settings.DUET = {**settings.DUET, "LOGIN_FAILURES_PER_USERNAME": 3}
    for _ in range(2):
        assert post(app, "token/", {"username": "ada", "password": "x"}).status_code == 401
    # The browser's login (its CSRF check is off in this client: only the throttle matters).
    web = Client().post(
        "/api/auth/login/", {"username": "ada", "password": "x"}, content_type="application/json"
    )
    assert web.status_code == 401
    blocked = login(app)  # even the right password, once the shared budget is spent
    assert blocked.status_code == 429
    assert code(blocked) == "throttled"
    assert int(blocked["Retry-After"]) > 0


def test_refresh_rotates_and_keeps_the_family(app, user):
    first = login(app).json()
    second = do_refresh(app, first["refresh_token"])
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert pair["access_token"] != first["access_token"]
    assert app.get("/api/notes/", **bearer(pair["access_token"])).status_code == 200
    assert RefreshTokenFamily.objects.count() == 1
    assert RefreshToken.objects.filter(used_at__isnull=True).count() == 1


def test_many_refreshes_in_a_row(app, user):
    token = login(app).json()["refresh_token"]
    for _ in range(20):
        response = do_refresh(app, token)
        assert response.status_code == 200
        token = response.json()["refresh_token"]
    assert RefreshToken.objects.count() == 21


def test_reuse_revokes_the_whole_family(app, user):
    stolen = login(app).json()["refresh_token"]
    legit = do_refresh(app, stolen).json()["refresh_token"]  # the app refreshes
    reused = do_refresh(app, stolen)  # the thief replays the old token
    assert reused.status_code == 401
    assert code(reused) == "refresh_reused"
    assert "WWW-Authenticate" in reused
    # The app's current token died with the family: the thief cannot refresh it either.
    after = do_refresh(app, legit)
    assert after.status_code == 401
    assert code(after) == "refresh_revoked"
    family = RefreshTokenFamily.objects.get()
    assert family.revoked_reason == refresh.REUSE_DETECTED


def test_reuse_in_one_family_spares_the_others(app, user):
    phone = login(app).json()["refresh_token"]
    laptop = login(app).json()["refresh_token"]
    do_refresh(app, phone)
    assert code(do_refresh(app, phone)) == "refresh_reused"
    assert do_refresh(app, laptop).status_code == 200


@pytest.mark.parametrize("token", ["", "nope", "duet_rt_" + "A" * 43, "duet_rt_" + "x" * 300])
def test_unknown_refresh_tokens(app, user, token):
    response = do_refresh(app, token) if token else post(app, "token/refresh/", {})
    if token:
        assert response.status_code == 401
        assert code(response) == "refresh_invalid"
    else:
        assert response.status_code == 400


def test_refresh_token_expiry(app, user):
    token = login(app).json()["refresh_token"]
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = do_refresh(app, token)
    assert response.status_code == 401
    assert code(response) == "refresh_expired"


def test_the_login_has_a_maximum_age(app, user, settings):
    settings.DUET = {**settings.DUET, "TOKEN_REFRESH_MAX_AGE": 3600}
    first = login(app).json()
    assert first["refresh_expires_in"] == 3600
    RefreshTokenFamily.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert code(do_refresh(app, first["refresh_token"])) == "refresh_expired"


def test_revoke_logs_one_device_out(app, user):
    phone = login(app).json()
    laptop = login(app).json()
    response = post(app, "token/revoke/", {"refresh_token": phone["refresh_token"]})
    assert response.status_code == 200
    assert response.json() == {"revoked": True}
    assert code(do_refresh(app, phone["refresh_token"])) == "refresh_revoked"
    assert do_refresh(app, laptop["refresh_token"]).status_code == 200
    family = RefreshTokenFamily.objects.get(revoked_at__isnull=False)
    assert family.revoked_reason == refresh.LOGOUT


def test_revoke_of_an_unknown_token_answers_200(app, user):
    response = post(app, "token/revoke/", {"refresh_token": "duet_rt_unknown"})
    assert response.status_code == 200
    assert response.json() == {"revoked": False}


def test_revoke_all_with_a_bearer_token(app, user):
    phone = login(app).json()
    laptop = login(app).json()
    other = get_user_model().objects.create_user("bob", password=PASSWORD)
    bob = login(app, "bob").json()
    response = post(app, "token/revoke-all/", **bearer(phone["access_token"]))
    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    for pair in (phone, laptop):
        assert code(do_refresh(app, pair["refresh_token"])) == "refresh_revoked"
    assert do_refresh(app, bob["refresh_token"]).status_code == 200
    assert other.is_active


def test_revoke_all_needs_a_user(token_settings, user):
    response = post(Client(), "token/revoke-all/")  # CSRF not enforced: reaches the view
    assert response.status_code == 401
    assert code(response) == "not_authenticated"


def test_revoke_all_from_the_web_session_keeps_csrf(app, user):
    """The web's "log out all my apps" button: a session request, so CSRF applies."""
    pair = login(app).json()
    assert app.login(username="ada", password=PASSWORD)
    assert post(app, "token/revoke-all/").status_code == 403  # no CSRF token
    csrf = app.get("/api/auth/csrf/").json()["csrfToken"]
    response = post(app, "token/revoke-all/", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert response.json() == {"revoked": 1}
    assert code(do_refresh(Client(), pair["refresh_token"])) == "refresh_revoked"


def test_password_change_revokes_refresh_and_access_tokens(app, user):
    pair = login(app).json()
    user.set_password("another-long-password-1")
    user.save()
    response = app.get("/api/notes/", **bearer(pair["access_token"]))
    assert response.status_code == 401
    assert code(response) == "token_revoked"
    response = do_refresh(app, pair["refresh_token"])
    assert code(response) == "refresh_revoked"
    assert RefreshTokenFamily.objects.get().revoked_reason == refresh.PASSWORD_CHANGED
    # A fresh login with the new password works.
    assert login(app, password="another-long-password-1").status_code == 200


def test_rotating_secret_key_keeps_apps_logged_in(app, user, settings):
    pair = login(app).json()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "n" * 40
    assert app.get("/api/notes/", **bearer(pair["access_token"])).status_code == 200
    assert do_refresh(app, pair["refresh_token"]).status_code == 200


def test_deactivation_refuses_access_tokens_at_once(app, user):
    pair = login(app).json()
    assert app.get("/api/notes/", **bearer(pair["access_token"])).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = app.get("/api/notes/", **bearer(pair["access_token"]))
    assert response.status_code == 401
    assert code(response) == "user_inactive"
    response = do_refresh(app, pair["refresh_token"])
    assert code(response) == "user_inactive"
    assert RefreshTokenFamily.objects.get().revoked_reason == refresh.USER_INACTIVE


def test_deleted_user(app, user):
    pair = login(app).json()
    user.delete()
    assert code(app.get("/api/notes/", **bearer(pair["access_token"]))) == "user_inactive"
    assert code(do_refresh(app, pair["refresh_token"])) == "refresh_invalid"  # cascade


def test_concurrent_refreshes_with_one_token_let_only_one_through(app, user, monkeypatch):
    """Two refreshes racing with the same token: the loser is a reuse, whatever the timing."""
    token = login(app).json()["refresh_token"]
    original = refresh._find

    def find_then_lose_the_race(value):
        row = original(value)
        RefreshToken.objects.filter(pk=row.pk).update(used_at=timezone.now())  # the winner
        return row

    monkeypatch.setattr(refresh, "_find", find_then_lose_the_race)
    response = do_refresh(app, token)
    assert code(response) == "refresh_reused"
    assert RefreshTokenFamily.objects.get().revoked_reason == refresh.REUSE_DETECTED


def test_purge(app, user):
    login(app)
    kept = login(app).json()
    old = RefreshTokenFamily.objects.exclude(
        pk=RefreshToken.objects.get(token_hash=refresh.hash_token(kept["refresh_token"])).family_id
    ).get()
    RefreshTokenFamily.objects.filter(pk=old.pk).update(
        last_used_at=timezone.now() - timedelta(days=15)
    )
    assert refresh.purge() == 2  # the family and its token
    assert do_refresh(app, kept["refresh_token"]).status_code == 200


def test_a_reactivated_user_gets_no_old_token_back(app, user):
    pair = login(app).json()
    user.is_active = False
    user.save()  # the admin's way: no request of the app meanwhile
    user.is_active = True
    user.save()
    response = app.get("/api/notes/", **bearer(pair["access_token"]))
    assert response.status_code == 401 and code(response) == "token_revoked"
    assert code(do_refresh(app, pair["refresh_token"])) == "refresh_revoked"
    assert RefreshTokenFamily.objects.get().revoked_reason == refresh.USER_INACTIVE
    fresh = login(app).json()  # logging in again works
    assert app.get("/api/notes/", **bearer(fresh["access_token"])).status_code == 200


def test_a_token_seen_while_inactive_stays_refused_after_reactivation(app, user):
    pair = login(app).json()
    users = get_user_model().objects.filter(pk=user.pk)
    users.update(is_active=False)  # no signal: the refusal itself ends the login
    assert code(app.get("/api/notes/", **bearer(pair["access_token"]))) == "user_inactive"
    users.update(is_active=True)
    assert code(app.get("/api/notes/", **bearer(pair["access_token"]))) == "token_revoked"


def test_logout_ends_the_access_token_at_once(app, user):
    pair = login(app).json()
    assert post(app, "token/revoke/", {"refresh_token": pair["refresh_token"]}).status_code == 200
    response = app.get("/api/notes/", **bearer(pair["access_token"]))
    assert response.status_code == 401 and code(response) == "token_revoked"
