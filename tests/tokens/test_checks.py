"""duet.E050-E059, W050, W052, W053: each triggered, each quiet on a good configuration."""

from __future__ import annotations

import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core import checks
from django.core.checks import run_checks

from django_duet.tokens.checks import check_signing_keys, check_token_settings
from django_duet.tokens.middleware import PATH

from .conftest import HS_KEY, pem_private, pem_public

AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def ids(settings, **duet) -> list[str]:
    settings.DUET = {**settings.DUET, **duet}
    return [m.id for m in check_signing_keys(None) + check_token_settings(None)]


@pytest.fixture
def on(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, PATH]
    return settings


def test_quiet_when_tokens_are_not_used(settings):
    assert PATH not in settings.MIDDLEWARE
    assert ids(settings) == []


def test_quiet_on_a_good_configuration(on, ec_key, rsa_key):
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    good = [
        {"kid": "ec", "algorithm": "ES256", "key": pem_private(ec_key)},
        HS_KEY,
        {"kid": "old", "algorithm": "RS256", "key": pem_public(rsa_key), "verify_until": later},
    ]
    assert ids(on, TOKEN_SIGNING_KEYS=good) == []


def test_registered(on):
    on.DUET = {**on.DUET, "TOKEN_SIGNING_KEYS": []}
    assert "duet.E050" in [m.id for m in checks.run_checks()]


def test_e050_no_keys(on):
    assert ids(on) == ["duet.E050"]  # middleware installed, nothing configured
    assert ids(on, TOKEN_SIGNING_KEYS=[{"kid": "k", "algorithm": "HS256", "key": ""}]) == [
        "duet.E050"
    ]


def test_e050_even_without_the_middleware_once_the_setting_is_there(settings):
    assert ids(settings, TOKEN_SIGNING_KEYS=[]) == ["duet.E050"]


@pytest.mark.parametrize(
    "entries",
    [
        "not a list",
        ["not a dict"],
        [{"algorithm": "HS256", "key": HS_KEY["key"]}],  # no kid
        [{"kid": "has space", "algorithm": "HS256", "key": HS_KEY["key"]}],
        [{**HS_KEY, "alg": "HS256"}],  # unknown field
        [HS_KEY, HS_KEY],  # duplicate kid
    ],
)
def test_e051_shape(on, entries):
    assert ids(on, TOKEN_SIGNING_KEYS=entries) == ["duet.E051"]


@pytest.mark.parametrize("algorithm", ["none", "None", "HS1", "RSA", None])
def test_e052_algorithm(on, algorithm):
    assert ids(on, TOKEN_SIGNING_KEYS=[{**HS_KEY, "algorithm": algorithm}]) == ["duet.E052"]


def test_e052_message_names_none(on):
    on.DUET = {**on.DUET, "TOKEN_SIGNING_KEYS": [{**HS_KEY, "algorithm": "none"}]}
    (message,) = check_signing_keys(None)
    assert "'none'" in message.msg and "unsigned" in message.msg
    assert "ES256" in message.hint


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [
        ("HS256", "s3cr3t"),  # short
        ("HS256", "ab" * 32),  # long but two distinct characters
        ("HS512", "Kq8-" * 10 + "x7Yz!"),  # 45 bytes: enough for HS256, not HS512
    ],
)
def test_e053_weak_hmac(on, algorithm, key):
    assert ids(on, TOKEN_SIGNING_KEYS=[{"kid": "k", "algorithm": algorithm, "key": key}]) == [
        "duet.E053"
    ]


def test_e053_small_rsa(on):
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    entry = {"kid": "k", "algorithm": "RS256", "key": pem_private(small)}
    assert ids(on, TOKEN_SIGNING_KEYS=[entry]) == ["duet.E053"]


def test_e054_unusable_keys(on, rsa_key, ec_key):
    p384 = ec.generate_private_key(ec.SECP384R1())
    cases = [
        {"kid": "k", "algorithm": "HS256", "key": pem_public(rsa_key)},  # HS/RS confusion
        {"kid": "k", "algorithm": "RS256", "key": pem_private(ec_key)},  # wrong key type
        {"kid": "k", "algorithm": "ES256", "key": pem_private(p384)},  # wrong curve
        {"kid": "k", "algorithm": "EdDSA", "key": pem_private(ec_key)},
        {"kid": "k", "algorithm": "RS256", "key": "-----BEGIN PRIVATE KEY-----\nnope\n"},
        {"kid": "k", "algorithm": "RS256", "key": pem_public(rsa_key)},  # the signer is public
    ]
    for entry in cases:
        assert ids(on, TOKEN_SIGNING_KEYS=[entry]) == ["duet.E054"], entry


def test_e055_verify_until(on):
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert ids(on, TOKEN_SIGNING_KEYS=[{**HS_KEY, "verify_until": tomorrow}]) == ["duet.E055"]
    other = {**HS_KEY, "kid": "old"}
    for bad in ("2030-01-01T00:00:00", "next week", 12):
        entries = [HS_KEY, {**other, "verify_until": bad}]
        assert ids(on, TOKEN_SIGNING_KEYS=entries) == ["duet.E055"], bad


def test_w050_secret_key_reused(on):
    entry = {"kid": "k", "algorithm": "HS256", "key": on.SECRET_KEY}
    assert ids(on, TOKEN_SIGNING_KEYS=[entry]) == ["duet.W050"]


def test_w052_verify_until_passed(on):
    past = datetime.now(UTC) - timedelta(days=1)
    entries = [HS_KEY, {**HS_KEY, "kid": "old", "verify_until": past}]
    assert ids(on, TOKEN_SIGNING_KEYS=entries) == ["duet.W052"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOKEN_ACCESS_LIFETIME", 0),
        ("TOKEN_ACCESS_LIFETIME", "300"),
        ("TOKEN_REFRESH_LIFETIME", -1),
        ("TOKEN_REFRESH_MAX_AGE", 0),
        ("TOKEN_LEEWAY", 3600),
        ("TOKEN_LEEWAY", True),
    ],
)
def test_e056_durations(on, name, value):
    assert ids(on, TOKEN_SIGNING_KEYS=[HS_KEY], **{name: value}) == ["duet.E056"]


def test_refresh_max_age_may_be_none(on):
    assert ids(on, TOKEN_SIGNING_KEYS=[HS_KEY], TOKEN_REFRESH_MAX_AGE=None) == []


@pytest.mark.parametrize("name", ["TOKEN_ISSUER", "TOKEN_AUDIENCE"])
@pytest.mark.parametrize("value", ["", "  ", None, 3])
def test_e057_issuer_audience(on, name, value):
    assert ids(on, TOKEN_SIGNING_KEYS=[HS_KEY], **{name: value}) == ["duet.E057"]


def test_e058_middleware_order(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != AUTH]
    settings.MIDDLEWARE = [PATH, *settings.MIDDLEWARE]
    assert ids(settings, TOKEN_SIGNING_KEYS=[HS_KEY]) == ["duet.E058"]
    settings.MIDDLEWARE = [PATH, *settings.MIDDLEWARE, AUTH]
    (message,) = check_token_settings(None)
    assert message.id == "duet.E058" and "right after" in message.hint


def test_w053_long_access_lifetime(on):
    assert ids(on, TOKEN_SIGNING_KEYS=[HS_KEY], TOKEN_ACCESS_LIFETIME=7200) == ["duet.W053"]


def test_ids_are_documented():
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "tokens.md").read_text()
    for check_id in [
        "E050",
        "E051",
        "E052",
        "E053",
        "E054",
        "E055",
        "E056",
        "E057",
        "E058",
        "W050",
        "W052",
        "W053",
    ]:
        assert f"duet.{check_id}" in docs


def test_e059_the_examples_token_key_fails_the_deploy_check(settings, monkeypatch):
    monkeypatch.delenv("DUET_TOKEN_KEY", raising=False)
    example = runpy.run_path(str(Path(__file__).parents[2] / "example" / "example" / "settings.py"))
    published = example["DUET"]["TOKEN_SIGNING_KEYS"]
    settings.DUET = {**settings.DUET, "TOKEN_SIGNING_KEYS": [HS_KEY, *published]}
    deploy = run_checks(include_deployment_checks=True)
    errors = [m for m in deploy if m.id == "duet.E059"]
    assert len(errors) == 1 and "'demo-1'" in errors[0].msg
    assert published[0]["key"] not in errors[0].msg
    assert "duet.E059" not in {m.id for m in run_checks()}
    settings.DUET = {**settings.DUET, "TOKEN_SIGNING_KEYS": [HS_KEY]}
    assert "duet.E059" not in {m.id for m in run_checks(include_deployment_checks=True)}
