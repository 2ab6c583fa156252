"""The checks of hand-made origin setups: credentialed CORS origins CSRF refuses (W018), the API's
host refused by ALLOWED_HOSTS (E025), and E011's hint, which must pass every check itself."""

from __future__ import annotations

import re

import pytest
from django.core import checks

from tests.helpers import duet_messages

from .helpers import APP_ORIGIN


def run() -> list[checks.CheckMessage]:
    return duet_messages(include_deployment_checks=False)


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [m.id or "" for m in messages]


def test_w018_hand_made_cors_with_credentials_and_no_trusted_origin(settings):
    # docs/testing.md's SPA fixture, as a project writes it without spa.configure.
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.CORS_ALLOWED_ORIGINS = [APP_ORIGIN]
    settings.CSRF_TRUSTED_ORIGINS = []
    [message] = run()
    assert message.id == "duet.W018"
    assert repr(APP_ORIGIN) in message.msg and "Origin checking failed" in message.msg
    assert "CSRF_TRUSTED_ORIGINS" in (message.hint or "")
    settings.CSRF_TRUSTED_ORIGINS = [APP_ORIGIN]
    assert run() == []
    settings.CSRF_TRUSTED_ORIGINS = ["http://*.example.test:5173"]  # Django's wildcard form
    assert run() == []


def test_w018_reads_the_legacy_name_and_only_with_credentials(settings):
    settings.CORS_ORIGIN_WHITELIST = [APP_ORIGIN]
    settings.CORS_ALLOW_CREDENTIALS = True
    assert "CORS_ORIGIN_WHITELIST" in run()[0].msg
    settings.CORS_ALLOW_CREDENTIALS = False  # no cookies: Django's CSRF check is not involved
    assert run() == []


def test_w018_a_regex_no_trusted_origin_matches(settings):
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://[a-z0-9-]+\.example\.com$"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.other.com"]
    [message] = run()
    assert message.id == "duet.W018" and "example" in message.msg
    for trusted in (["https://app.example.com"], ["https://*.example.com"]):
        settings.CSRF_TRUSTED_ORIGINS = trusted
        assert run() == [], trusted


def test_w018_not_for_declared_spa_origins_e014_reports_them(spa_settings, settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    assert ids(run()) == ["duet.E014"]


def test_e025_the_api_host_not_in_allowed_hosts(spa_settings, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    [message] = run()
    assert message.id == "duet.E025"
    assert "'api.example.test'" in message.msg and "ALLOWED_HOSTS" in (message.hint or "")
    for allowed in (["api.example.test"], [".example.test"], ["*"]):
        settings.ALLOWED_HOSTS = allowed
        assert run() == [], allowed


def test_e025_follows_djangos_debug_fallback(settings):
    settings.DUET = {**settings.DUET, "API_ORIGIN": "http://localhost:8000"}
    settings.ALLOWED_HOSTS = []
    settings.DEBUG = True  # Django then allows .localhost, 127.0.0.1 and [::1]
    assert "duet.E025" not in ids(run())
    settings.DEBUG = False
    assert ids(run()) == ["duet.E025"]


@pytest.mark.parametrize(
    "pattern, origin",
    [
        ("https://app.example.com", "https://app.example.com"),
        ("^https://app.example.com", "https://app.example.com"),
        (r"https://app\.example\.com$", "https://app.example.com"),
        (r"https://app\.example\.com\Z", "https://app.example.com"),
        ("https://[a-z0-9.-]+.example.com$", "https://pr-1.example.com"),
        ("https://app[0-9].example.com", "https://app1.example.com"),
        ("^https://.*.example.co.uk", "https://a.b.example.co.uk"),
    ],
)
def test_e011_hint_proposes_a_pattern_every_check_accepts(settings, pattern, origin):
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [pattern]
    [message] = run()
    assert message.id == "duet.E011"
    proposed = re.search(r"Write it as r'(.*?)', ", message.hint or "")
    assert proposed, message.hint
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [proposed.group(1)]
    assert run() == [], proposed.group(1)
    # It still allows the origin meant, and no longer its look-alike or a longer host.
    assert re.match(proposed.group(1), origin)
    assert not re.match(proposed.group(1), origin.replace(".example", "xexample"))
    assert not re.match(proposed.group(1), origin + ".evil.net")
