"""Login throttling: per username, per client IP, sliding window, shared through the cache."""

from __future__ import annotations

import pickle
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache

from django_duet.sessions import throttle

from .helpers import USERNAME, get_token, login

WINDOW = 900
START = 1_000_000 * WINDOW  # a window boundary, so the expected waits are exact


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        at = float(START)

    monkeypatch.setattr(throttle, "now", lambda: Clock.at)
    return Clock


def fail(client, token, times, username=USERNAME, **extra):
    for _ in range(times):
        assert login(client, token, username=username, password="wrong", **extra).status_code == 401


def test_fifth_failure_blocks_even_the_right_password(csrf_client, user, clock):
    token = get_token(csrf_client)
    fail(csrf_client, token, 5)
    response = login(csrf_client, token)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response["Retry-After"] == str(WINDOW)
    assert f"{WINDOW} seconds" in response.json()["error"]["message"]
    assert csrf_client.get("/api/auth/me/").status_code == 401  # not logged in


def test_usernames_are_throttled_case_insensitively(csrf_client, user, clock):
    token = get_token(csrf_client)
    fail(csrf_client, token, 3, username="alice")
    fail(csrf_client, token, 2, username="ALICE")
    assert login(csrf_client, token).status_code == 429


def test_the_window_slides(csrf_client, user, clock):
    token = get_token(csrf_client)
    fail(csrf_client, token, 5)
    clock.at = START + WINDOW  # the 5 failures now count fully as the previous window
    response = login(csrf_client, token)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    clock.at = START + WINDOW + 0.5 * WINDOW  # they weigh 2.5 now
    fail(csrf_client, token, 3)  # 2.5 + 0, + 1, + 2: each under 5, so each was checked
    response = login(csrf_client, token)  # 2.5 + 3 = 5.5: blocked
    assert response.status_code == 429
    # Until the old failures weigh 2 or less: 60% into the window, 90 s from now.
    assert response["Retry-After"] == "90"
    clock.at = START + WINDOW + 0.6 * WINDOW + 1
    assert login(csrf_client, token, password="wrong").status_code == 401
    clock.at = START + 3 * WINDOW  # both windows long gone
    assert login(csrf_client, token).status_code == 200


def test_success_resets_the_username_counter(csrf_client, user, clock):
    token = get_token(csrf_client)
    fail(csrf_client, token, 4)
    token = login(csrf_client, token).json()["csrfToken"]
    fail(csrf_client, token, 4)  # would be 8 without the reset
    assert login(csrf_client, token).status_code == 200


def test_per_ip_limit_across_usernames(csrf_client, user, clock, settings):
    settings.DUET = {**settings.DUET, "LOGIN_FAILURES_PER_IP": 3}
    token = get_token(csrf_client)
    for name in ("bob", "carol", "dave"):
        fail(csrf_client, token, 1, username=name)
    assert login(csrf_client, token).status_code == 429
    # Another address has its own budget; X-Forwarded-For is not trusted by default.
    elsewhere = login(csrf_client, token, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 200
    token = elsewhere.json()["csrfToken"]
    spoofed = login(csrf_client, token, HTTP_X_FORWARDED_FOR="10.0.0.8")
    assert spoofed.status_code == 429


def test_client_ip_header_takes_the_address_the_proxy_added(csrf_client, user, clock, settings):
    settings.DUET = {
        **settings.DUET,
        "LOGIN_FAILURES_PER_IP": 2,
        "LOGIN_FAILURES_PER_USERNAME": 0,
        "CLIENT_IP_HEADER": "X-Forwarded-For",
    }
    token = get_token(csrf_client)
    # The client wrote "1.1.1.1"; our proxy appended the address it saw.
    fail(csrf_client, token, 2, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    assert login(csrf_client, token, HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.7").status_code == 429
    assert login(csrf_client, token, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_zero_turns_a_limit_off(csrf_client, user, clock, settings):
    settings.DUET = {**settings.DUET, "LOGIN_FAILURES_PER_USERNAME": 0}
    token = get_token(csrf_client)
    fail(csrf_client, token, 8)
    assert login(csrf_client, token).status_code == 200


def test_counters_live_in_the_configured_shared_cache(csrf_client, user, clock, settings, tmp_path):
    # A file cache stands for any cache that several processes share; its 60 s default timeout
    # is shorter than the throttle's windows.
    location = str(tmp_path / "cache")
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
            "TIMEOUT": 60,
        },
    }
    settings.DUET = {**settings.DUET, "LOGIN_THROTTLE_CACHE": "shared"}
    token = get_token(csrf_client)
    fail(csrf_client, token, 5)
    slots = [f"{throttle._key('username', USERNAME)}:{START // WINDOW}:{n}" for n in range(1, 6)]
    assert caches["default"].get_many(slots) == {}
    # A fresh handle on the same files, as another process opens it, sees the failures...
    other = FileBasedCache(location, {"TIMEOUT": 60})
    assert len(other.get_many(slots)) == 5
    key = slots[-1]
    # ...and they are kept for two windows, not the cache's default 60 s.
    with open(other._key_to_file(key), "rb") as file:
        expires = pickle.load(file)
    assert expires - time.time() > 2 * WINDOW - 60
    assert login(csrf_client, token).status_code == 429


def test_invalid_values_fall_back_to_the_defaults(csrf_client, user, clock, settings):
    # duet.E019 reports them; meanwhile the throttle stays on rather than crash or switch off.
    settings.DUET = {
        **settings.DUET,
        "LOGIN_FAILURES_PER_USERNAME": "five",
        "LOGIN_THROTTLE_WINDOW": 0,
    }
    token = get_token(csrf_client)
    fail(csrf_client, token, 5)
    response = login(csrf_client, token)
    assert response.status_code == 429 and response["Retry-After"] == str(WINDOW)


def test_a_success_gives_its_reservation_back(csrf_client, user, clock, settings):
    settings.DUET = {**settings.DUET, "LOGIN_FAILURES_PER_IP": 2}
    token = get_token(csrf_client)
    for _ in range(3):  # each login holds an IP slot while the password is checked, then not
        token = login(csrf_client, token).json()["csrfToken"]
    fail(csrf_client, token, 2)
    assert login(csrf_client, token).status_code == 429


def test_a_refused_attempt_holds_nothing(csrf_client, user, clock, settings):
    settings.DUET = {**settings.DUET, "LOGIN_FAILURES_PER_IP": 2}
    token = get_token(csrf_client)
    fail(csrf_client, token, 2, username="mallory")
    # The address is blocked: alice's slot, taken first, is given back each time.
    for _ in range(8):
        assert login(csrf_client, token).status_code == 429
    assert login(csrf_client, token, REMOTE_ADDR="10.0.0.9").status_code == 200
