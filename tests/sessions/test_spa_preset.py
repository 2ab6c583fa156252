"""The SPA settings preset and the origin/site rules it relies on (pure functions, no server)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_duet.sessions import spa
from django_duet.sessions.origins import csrf_trusts, parse_origin, registrable_domain, same_site

BASE = {
    "INSTALLED_APPS": ["django.contrib.auth", "django_duet"],
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "django_duet.static.DuetStaticMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ],
    "DUET": {"FRONTEND_DIR": "frontend"},
}


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("https://app.example.com", "https://api.example.com:8443", True),
        ("http://app.example.test:5173", "http://api.example.test:8000", True),
        ("https://app.example.com", "http://api.example.com", False),  # schemeful same-site
        ("https://app.other.com", "https://api.example.com", False),
        ("https://a.github.io", "https://b.github.io", False),  # a multi-label public suffix
        ("https://app.example.co.uk", "https://api.example.co.uk", True),
        ("http://127.0.0.1:5173", "http://127.0.0.1:8000", True),
        ("http://localhost:5173", "http://127.0.0.1:8000", False),
    ],
)
def test_same_site(a, b, same):
    assert same_site(parse_origin(a), parse_origin(b)) is same


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("null", "sandboxed"),
        ("app.example.com", "scheme://host"),
        ("https://app.example.com/", "trailing slash"),
        ("https://app.example.com/app", "path"),
        ("https://*.example.com", "wildcard"),
        ("https://App.example.com", "lower case"),
        ("ftp://app.example.com", "scheme://host"),
        ("https://app.example.com:99999", "not a valid origin"),
    ],
)
def test_bad_origins_say_what_is_wrong(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_origin(value)


def test_registrable_domain_of_ip_and_ipv6():
    assert registrable_domain("10.1.2.3") == "10.1.2.3"
    assert str(parse_origin("http://[::1]:8000")) == "http://[::1]:8000"


def test_csrf_trusted_origins_matching_follows_django():
    origin = parse_origin("https://app.example.com")
    assert csrf_trusts(origin, ["https://app.example.com"])
    assert csrf_trusts(origin, ["https://*.example.com"])
    assert not csrf_trusts(origin, ["http://app.example.com", "https://*.other.com"])
    assert not csrf_trusts(
        parse_origin("https://app.example.com:8443"), ["https://app.example.com"]
    )


def test_same_site_preset():
    changes = spa.spa_settings(
        BASE, ["https://app.example.com"], api_origin="https://api.example.com"
    )
    assert changes["INSTALLED_APPS"] == ["django.contrib.auth", "django_duet", "corsheaders"]
    # Before whitenoise/duet static (which answer by themselves), after SecurityMiddleware.
    assert changes["MIDDLEWARE"][:3] == [
        "django.middleware.security.SecurityMiddleware",
        "corsheaders.middleware.CorsMiddleware",
        "django_duet.static.DuetStaticMiddleware",
    ]
    assert changes["CORS_ALLOWED_ORIGINS"] == ["https://app.example.com"]
    assert changes["CORS_ALLOW_CREDENTIALS"] is True
    assert changes["CSRF_TRUSTED_ORIGINS"] == ["https://app.example.com"]
    assert changes["DUET"] == {
        "FRONTEND_DIR": "frontend",
        "SPA_ORIGINS": ["https://app.example.com"],
        "API_ORIGIN": "https://api.example.com",
    }
    assert "SESSION_COOKIE_SAMESITE" not in changes  # Django's Lax is right
    assert "SESSION_COOKIE_SECURE" not in changes and "SESSION_COOKIE_DOMAIN" not in changes
    assert BASE["MIDDLEWARE"][1] == "django_duet.static.DuetStaticMiddleware"  # input untouched


def test_cross_site_preset_sets_samesite_none_and_secure():
    changes = spa.spa_settings(
        BASE, ["https://app.other.com"], api_origin="https://api.example.com"
    )
    for cookie in ("SESSION_COOKIE", "CSRF_COOKIE"):
        assert changes[f"{cookie}_SAMESITE"] == "None"
        assert changes[f"{cookie}_SECURE"] is True
    forced = spa.spa_settings(BASE, ["https://a.example.com"], cross_site=True)
    assert forced["SESSION_COOKIE_SAMESITE"] == "None"


def test_cross_site_over_http_is_refused():
    with pytest.raises(ImproperlyConfigured, match="only store over https"):
        spa.spa_settings(BASE, ["http://app.other.test"], api_origin="http://api.example.test")


def test_same_site_preset_replaces_a_samesite_none():
    current = {**BASE, "CSRF_COOKIE_SAMESITE": "None"}
    changes = spa.spa_settings(
        current, ["https://app.example.com"], api_origin="https://api.example.com"
    )
    assert changes["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_preset_merges_with_existing_values_and_keeps_a_placed_middleware():
    current = {
        **BASE,
        "INSTALLED_APPS": [*BASE["INSTALLED_APPS"], "corsheaders"],
        "MIDDLEWARE": ["corsheaders.middleware.CorsMiddleware", *BASE["MIDDLEWARE"]],
        "CSRF_TRUSTED_ORIGINS": ["https://admin.example.com"],
        "CSRF_HEADER_NAME": "HTTP_X_MY_CSRF",
    }
    changes = spa.spa_settings(
        current,
        ["https://app.example.com", "https://app.example.com"],
        cookie_domain=".example.com",
    )
    assert changes["INSTALLED_APPS"].count("corsheaders") == 1
    assert changes["MIDDLEWARE"] == current["MIDDLEWARE"]
    assert changes["CSRF_TRUSTED_ORIGINS"] == [
        "https://admin.example.com",
        "https://app.example.com",
    ]
    assert "x-my-csrf" in changes["CORS_ALLOW_HEADERS"]
    assert changes["SESSION_COOKIE_DOMAIN"] == changes["CSRF_COOKIE_DOMAIN"] == ".example.com"


def test_configure_updates_the_namespace():
    namespace = {
        key: list(value) if isinstance(value, list) else value for key, value in BASE.items()
    }
    spa.configure(namespace, ["https://app.example.com"])
    assert namespace["CORS_ALLOWED_ORIGINS"] == ["https://app.example.com"]
    assert "corsheaders.middleware.CorsMiddleware" in namespace["MIDDLEWARE"]


@pytest.mark.parametrize(
    "origins, fragment",
    [
        ([], "at least one"),
        ("https://app.example.com", "list of origins"),
        (["null"], "sandboxed"),
        (["https://app.example.com/"], "trailing slash"),
    ],
)
def test_bad_preset_input_is_improperly_configured(origins, fragment):
    with pytest.raises(ImproperlyConfigured, match=fragment):
        spa.spa_settings(BASE, origins)
