"""Each cookie-session and SPA check: triggered by its trap, quiet on a correct setup."""

from __future__ import annotations

import inspect
import re
import runpy
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from django_duet.sessions import checks as checks_sessions
from django_duet.sessions import spa
from django_duet.sessions import spa_checks as checks_spa
from tests.helpers import duet_messages

from .helpers import APP_ORIGIN

DOCS = Path(__file__).parents[2] / "docs" / "sessions-and-csrf.md"


def run(deploy: bool = True) -> list[checks.CheckMessage]:
    return duet_messages(include_deployment_checks=deploy)


def only(messages, wanted: str) -> checks.CheckMessage:
    found = [m for m in messages if m.id == wanted]
    assert len(found) == 1, [(m.id, m.msg) for m in messages]
    return found[0]


def test_quiet_without_spa(db, auth_urls, settings):
    # A cache shared by processes (the database's), so the throttle's deploy check is quiet too.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "duet_checks_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    assert run() == []


def test_quiet_with_the_preset(spa_settings):
    assert run(deploy=False) == []


def test_e010_any_origin_with_credentials(settings):
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOW_CREDENTIALS = True
    message = only(run(), "duet.E010")
    assert "CORS_ALLOW_ALL_ORIGINS = True" in message.msg and "CORS_ALLOWED_ORIGINS" in message.hint
    settings.CORS_ALLOW_CREDENTIALS = False  # then corsheaders answers "*", which browsers
    assert [m.id for m in run()] == []  # never combine with cookies


def test_e010_reads_the_legacy_name(settings):
    settings.CORS_ORIGIN_ALLOW_ALL = True
    settings.CORS_ALLOW_CREDENTIALS = True
    assert "CORS_ORIGIN_ALLOW_ALL = True" in only(run(), "duet.E010").msg


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"^https://app\.example\.com", "duet.E011"),
        (r"https://app\.example\.com$", "duet.E011"),
        (r"^https://app.example.com$", "duet.W010"),
        (r"^https://app\.example\.com$", None),
        (r"^https://[a-z0-9.-]+\.example\.com$", None),
        (r"^https://\w+\.example\.com\Z", None),
    ],
)
def test_e011_w010_origin_regexes(settings, pattern, expected):
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [re.compile(pattern) if expected is None else pattern]
    messages = run()
    assert [m.id for m in messages] == ([expected] if expected else [])
    if expected:
        assert repr(pattern) in messages[0].msg


@pytest.mark.parametrize("name", ["CORS_ALLOWED_ORIGINS", "CSRF_TRUSTED_ORIGINS"])
def test_e012_null_origin(settings, name):
    setattr(settings, name, ["https://app.example.com", "null"])
    message = only(run(), "duet.E012")
    assert name in message.msg and "'null'" in message.msg


def test_e012_null_spa_origin(settings):
    settings.DUET = {**settings.DUET, "SPA_ORIGINS": ["null"]}
    assert [m.id for m in run()] == ["duet.E012"]


def test_e013_credentials_off(spa_settings, settings):
    settings.CORS_ALLOW_CREDENTIALS = False
    message = only(run(deploy=False), "duet.E013")
    assert "CORS_ALLOW_CREDENTIALS = False" in message.msg and APP_ORIGIN in message.msg


def test_e014_spa_origin_not_csrf_trusted(spa_settings, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["http://other.example.test"]
    message = only(run(deploy=False), "duet.E014")
    assert repr(APP_ORIGIN) in message.msg and f"Add {APP_ORIGIN!r}" in message.hint
    settings.CSRF_TRUSTED_ORIGINS = ["http://*.example.test:5173"]  # Django's wildcard form
    assert run(deploy=False) == []


def test_e015_spa_origin_not_allowed_by_cors(spa_settings, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    assert repr(APP_ORIGIN) in only(run(deploy=False), "duet.E015").msg
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [r"^http://app\.example\.test:\d+$"]
    assert run(deploy=False) == []


@pytest.mark.parametrize("cookie", ["SESSION_COOKIE", "CSRF_COOKIE"])
def test_e016_samesite_none_without_secure(settings, cookie):
    setattr(settings, f"{cookie}_SAMESITE", "None")
    message = only(run(deploy=False), "duet.E016")
    assert f"{cookie}_SECURE = False" in message.msg
    setattr(settings, f"{cookie}_SECURE", True)
    assert run(deploy=False) == []


def test_w011_cross_site_spa_with_lax_cookies(settings):
    settings.DUET = {
        **settings.DUET,
        "SPA_ORIGINS": ["https://app.other.com"],
        "API_ORIGIN": "https://api.example.com",
    }
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "corsheaders"]
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *settings.MIDDLEWARE]
    settings.CORS_ALLOWED_ORIGINS = ["https://app.other.com"]
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.other.com"]
    settings.CORS_URLS_REGEX = r"^/api/"
    settings.ALLOWED_HOSTS = ["api.example.com"]
    messages = run(deploy=False)
    assert [m.id for m in messages] == ["duet.W011", "duet.W011"]
    assert "SESSION_COOKIE_SAMESITE = 'Lax'" in messages[0].msg
    assert "Safari" in messages[0].hint
    for cookie in ("SESSION_COOKIE", "CSRF_COOKIE"):
        setattr(settings, f"{cookie}_SAMESITE", "None")
        setattr(settings, f"{cookie}_SECURE", True)
    assert run(deploy=False) == []


def test_w011_falls_back_to_allowed_hosts(settings):
    settings.DUET = {**settings.DUET, "SPA_ORIGINS": ["https://app.other.com"]}
    settings.ALLOWED_HOSTS = ["api.example.com"]
    assert "duet.W011" in [m.id for m in run(deploy=False)]
    settings.ALLOWED_HOSTS = [".other.com"]
    assert "duet.W011" not in [m.id for m in run(deploy=False)]
    settings.ALLOWED_HOSTS = ["*"]  # cannot tell: no warning
    assert "duet.W011" not in [m.id for m in run(deploy=False)]


def test_w012_httponly_csrf_cookie(settings):
    settings.CSRF_COOKIE_HTTPONLY = True
    assert "CSRF_COOKIE_HTTPONLY = True" in only(run(deploy=False), "duet.W012").msg
    settings.CSRF_USE_SESSIONS = True  # then there is no cookie to read at all
    assert run(deploy=False) == []


@pytest.mark.parametrize(
    "before",
    [
        "django_duet.static.DuetStaticMiddleware",
        "django.middleware.common.CommonMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ],
)
def test_e017_cors_middleware_after_one_that_answers(settings, before):
    settings.MIDDLEWARE = [before, "corsheaders.middleware.CorsMiddleware"]
    message = only(run(deploy=False), "duet.E017")
    assert repr(before) in message.msg and f"above {before!r}" in message.hint
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", before]
    assert run(deploy=False) == []


def test_w013_http_origins_in_production(spa_settings):
    assert [m.id for m in run(deploy=False)] == []
    names = sorted(m.msg.split(" trusts")[0] for m in run() if m.id == "duet.W013")
    assert names == ["CORS_ALLOWED_ORIGINS", "CSRF_TRUSTED_ORIGINS", 'DUET["SPA_ORIGINS"]']


def test_e018_spa_origins_without_corsheaders(settings):
    settings.DUET = {**settings.DUET, "SPA_ORIGINS": [APP_ORIGIN]}
    settings.CORS_ALLOWED_ORIGINS = [APP_ORIGIN]
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.CSRF_TRUSTED_ORIGINS = [APP_ORIGIN]
    message = only(run(deploy=False), "duet.E018")
    assert "'corsheaders' is not in INSTALLED_APPS" in message.msg
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "corsheaders"]
    assert "is not in MIDDLEWARE" in only(run(deploy=False), "duet.E018").msg


def test_checks_run_when_corsheaders_cannot_be_imported(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "corsheaders", None)  # import corsheaders -> ImportError
    settings.DUET = {
        **settings.DUET,
        "SPA_ORIGINS": [APP_ORIGIN],
        "API_ORIGIN": "http://api.example.test",
    }
    assert {m.id for m in run()} == {
        "duet.E018",
        "duet.E013",
        "duet.E014",
        "duet.E015",
        "duet.W013",
        "duet.W015",  # CORS_URLS_REGEX is not set: every path
        "duet.E025",  # api.example.test is not in ALLOWED_HOSTS
    }


@pytest.mark.parametrize(
    "duet, fragment",
    [
        ({"LOGIN_FAILURES_PER_USERNAME": -1}, 'DUET["LOGIN_FAILURES_PER_USERNAME"] = -1'),
        ({"LOGIN_FAILURES_PER_IP": "50"}, "DUET[\"LOGIN_FAILURES_PER_IP\"] = '50'"),
        ({"LOGIN_THROTTLE_WINDOW": 0}, 'DUET["LOGIN_THROTTLE_WINDOW"] = 0'),
        ({"CLIENT_IP_PROXY_COUNT": 0}, 'DUET["CLIENT_IP_PROXY_COUNT"] = 0'),
        ({"LOGIN_THROTTLE_CACHE": "redis"}, "'redis' (not a key of CACHES)"),
        ({"CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR"}, "'HTTP_X_FORWARDED_FOR'"),
    ],
)
def test_e019_invalid_throttle_settings(settings, duet, fragment):
    settings.DUET = {**settings.DUET, **duet}
    assert fragment in only(run(deploy=False), "duet.E019").msg


@pytest.mark.parametrize(
    "bad", ["https://app.example.com/", "App.example.com", "https://*.example.com"]
)
def test_e020_malformed_spa_origin(settings, bad):
    settings.DUET = {**settings.DUET, "SPA_ORIGINS": [bad]}
    assert repr(bad) in only(run(deploy=False), "duet.E020").msg


def test_e020_malformed_api_origin(settings):
    settings.DUET = {**settings.DUET, "API_ORIGIN": "api.example.com"}
    assert "'api.example.com'" in only(run(deploy=False), "duet.E020").msg


@pytest.mark.parametrize(
    "backend, expected",
    [
        ("django.core.cache.backends.dummy.DummyCache", "duet.E021"),
        ("django.core.cache.backends.locmem.LocMemCache", "duet.W014"),
        ("django.core.cache.backends.filebased.FileBasedCache", "duet.W016"),
    ],
)
def test_e021_w014_w016_throttle_cache(auth_urls, settings, backend, expected, tmp_path):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}
    assert [m.id for m in run()] == [expected]
    assert [m.id for m in run(deploy=False)] == []
    settings.ROOT_URLCONF = "tests.urls"  # the login endpoint not mounted: nothing to throttle
    assert run() == []


def test_e022_user_serializer(settings):
    settings.DUET = {**settings.DUET, "USER_SERIALIZER": "no.such.module.function"}
    assert "'no.such.module.function'" in only(run(deploy=False), "duet.E022").msg
    settings.DUET = {
        **settings.DUET,
        "USER_SERIALIZER": "django_duet.sessions.views.serialize_user",
    }
    assert run(deploy=False) == []


def test_ids_unique_registered_and_documented():
    source = inspect.getsource(checks_spa) + inspect.getsource(checks_sessions)
    declared = re.findall(r'id="(duet\.[EW]\d{3})"', source)
    assert len(declared) == len(set(declared))
    docs = DOCS.read_text()
    for check_id in declared:
        assert f"`{check_id}`" in docs, f"{check_id} is not documented in {DOCS.name}"
    registered = checks.registry.registry.get_checks(include_deployment_checks=True)
    for module in (checks_spa, checks_sessions):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("check_"):
                assert function in registered, name


def test_e023_the_endpoints_outside_the_cors_paths(spa_settings, settings):
    settings.CORS_URLS_REGEX = spa.api_urls_regex(
        ["/app-api/"]
    )  # django_duet.urls is at /api/auth/
    error = only(run(deploy=False), "duet.E023")
    assert "'/api/auth/csrf/'" in error.msg and "api_prefixes=['/api/auth/']" in error.hint


def test_w015_cors_on_every_path(spa_settings, settings):
    settings.CORS_URLS_REGEX = r"^.*$"  # django-cors-headers' default
    warning = only(run(deploy=False), "duet.W015")
    assert "/admin/" in warning.msg
    del settings.CORS_URLS_REGEX
    only(run(deploy=False), "duet.W015")


@pytest.mark.parametrize("prefixes", [[], "/api/", ["api/"], ["/api"]])
def test_api_prefixes_are_paths_with_both_slashes(prefixes):
    with pytest.raises(ImproperlyConfigured, match=r"api_prefixes|API prefix"):
        spa.api_urls_regex(prefixes)


def test_the_preset_keeps_a_regex_it_was_not_told_to_replace(settings):
    current = {"CORS_URLS_REGEX": r"^/v2/", "INSTALLED_APPS": [], "MIDDLEWARE": []}
    origins = ["https://app.example.com"]
    assert spa.spa_settings(current, origins)["CORS_URLS_REGEX"] == r"^/v2/"
    changed = spa.spa_settings(current, origins, api_prefixes=["/api/", "/auth/"])
    assert changed["CORS_URLS_REGEX"] == r"^(?:/api/|/auth/)"


@pytest.mark.parametrize(
    "proxy",
    [
        {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
        {"USE_X_FORWARDED_HOST": True},
    ],
)
def test_w017_behind_a_proxy_without_the_client_ip_header(auth_urls, settings, proxy):
    for name, value in proxy.items():
        setattr(settings, name, value)
    warning = only(run(), "duet.W017")
    assert next(iter(proxy)) in warning.msg and "50 failed logins" in warning.msg
    assert '"X-Real-IP"' in warning.hint
    assert "duet.W017" not in {m.id for m in run(deploy=False)}
    settings.DUET = {**settings.DUET, "CLIENT_IP_HEADER": "X-Real-IP"}
    assert "duet.W017" not in {m.id for m in run()}
    settings.DUET = {**settings.DUET, "CLIENT_IP_HEADER": None, "LOGIN_FAILURES_PER_IP": 0}
    assert "duet.W017" not in {m.id for m in run()}  # no per-address limit to share


def test_w017_quiet_without_a_proxy_or_a_login(auth_urls, settings):
    assert "duet.W017" not in {m.id for m in run()}
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ROOT_URLCONF = "tests.urls"  # no login endpoint
    assert "duet.W017" not in {m.id for m in run()}


def example_settings(monkeypatch) -> dict:
    """example/example/settings.py as it runs with no environment: its published fallbacks."""
    for name in ("DJANGO_SECRET_KEY", "DUET_TOKEN_KEY", "DUET_EXAMPLE_SPA_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(Path(__file__).parents[2] / "example" / "example" / "settings.py"))


def test_e024_the_examples_secret_key_fails_the_deploy_check(settings, monkeypatch):
    settings.SECRET_KEY = example_settings(monkeypatch)["SECRET_KEY"]
    error = only(run(), "duet.E024")
    assert error.msg.startswith("SECRET_KEY is a published key")
    assert settings.SECRET_KEY not in error.msg + error.hint  # never repeated in a log
    assert "duet.E024" not in {m.id for m in run(deploy=False)}


@pytest.mark.parametrize(
    "key",
    [
        "insecure-demo-key-for-127.0.0.1-only-" + "x" * 24,  # the example's earlier fallback
        "django-insecure-" + "q" * 50,  # Django's startproject key: never for production
    ],
)
def test_e024_published_keys_and_fallbacks(settings, key):
    settings.SECRET_KEY = key
    only(run(), "duet.E024")
    settings.SECRET_KEY = "a-secret-of-our-own-" + "z" * 40
    settings.SECRET_KEY_FALLBACKS = [key]
    assert only(run(), "duet.E024").msg.startswith("SECRET_KEY_FALLBACKS is a published key")
    settings.SECRET_KEY_FALLBACKS = []
    assert "duet.E024" not in {m.id for m in run()}
