"""The development-mode checks (duet.E030-E031, E033, W030-W032): each triggered, each quiet."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from django.core import checks

from django_duet.dev import checks as checks_dev
from tests.helpers import duet_check_ids

PROXY = "django_duet.proxy.DevProxyMiddleware"
DOCS = Path(__file__).parents[2] / "docs" / "development.md"
IDS = ["duet.E030", "duet.E031", "duet.E033", "duet.W030", "duet.W031", "duet.W032"]


def dev_ids() -> list[str]:
    return [found for found in duet_check_ids(include_deployment_checks=False) if found in IDS]


@pytest.fixture
def dev(settings, monkeypatch):
    settings.DEBUG = True
    settings.MIDDLEWARE = [PROXY, *settings.MIDDLEWARE]
    monkeypatch.setattr(sys, "argv", ["manage.py", "check"])
    return settings


def test_a_correct_dev_setup_and_production_are_quiet(dev):
    assert dev_ids() == []
    dev.DEBUG = False
    dev.MIDDLEWARE = [m for m in dev.MIDDLEWARE if m != PROXY]
    assert dev_ids() == []


@pytest.mark.parametrize("value", [0, -1, "30", True, None])
def test_a_bad_timeout_is_e030(settings, value):
    settings.DUET = {**settings.DUET, "DEV_PROXY_TIMEOUT": value}
    [message] = checks_dev.check_dev_settings(None)
    assert message.id == "duet.E030"
    assert repr(value) in message.msg and "DEV_PROXY_TIMEOUT" in message.hint


def test_a_hot_file_that_is_not_a_path_is_e031(settings):
    settings.DUET = {**settings.DUET, "HOT_FILE": 42}
    [message] = checks_dev.check_dev_settings(None)
    assert message.id == "duet.E031" and "42" in message.msg
    settings.DUET = {**settings.DUET, "HOT_FILE": "frontend/.duet-hot", "DEV_PROXY_TIMEOUT": 2.5}
    assert checks_dev.check_dev_settings(None) == []


@pytest.mark.parametrize("value", ["Direct", "vite", True, None, ["direct"]])
def test_a_bad_dev_assets_value_is_e033(settings, value):
    settings.DUET = {**settings.DUET, "DEV_ASSETS": value}
    [message] = checks_dev.check_dev_settings(None)
    assert message.id == "duet.E033"
    assert repr(value) in message.msg and "DEV_ASSETS" in message.hint
    assert "duet.E033" in dev_ids()


@pytest.mark.parametrize("value", ["proxy", "direct"])
def test_both_dev_assets_values_are_quiet(settings, value):
    settings.DUET = {**settings.DUET, "DEV_ASSETS": value}
    assert checks_dev.check_dev_settings(None) == []


def test_dev_mode_without_the_proxy_is_w030(dev):
    dev.MIDDLEWARE = [m for m in dev.MIDDLEWARE if m != PROXY]
    [message] = checks_dev.check_dev_middleware(None)
    assert message.id == "duet.W030"
    assert repr(dev.MIDDLEWARE) in message.msg and PROXY in message.hint
    dev.DUET = {**dev.DUET, "DEV_MODE": False}
    assert checks_dev.check_dev_middleware(None) == []


def test_the_proxy_after_whitenoise_is_w031(dev):
    dev.MIDDLEWARE = [m for m in dev.MIDDLEWARE if m != PROXY]
    dev.MIDDLEWARE = [dev.MIDDLEWARE[0], PROXY, *dev.MIDDLEWARE[1:]]
    [message] = checks_dev.check_dev_middleware(None)
    assert message.id == "duet.W031"
    assert "django_duet.static.DuetStaticMiddleware" in message.hint


def test_runserver_serving_static_itself_is_w032(dev, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver", "8000"])
    [message] = checks_dev.check_dev_middleware(None)
    assert message.id == "duet.W032"
    assert "'/static/'" in message.msg and "--nostatic" in message.hint
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver", "--nostatic", "8000"])
    assert checks_dev.check_dev_middleware(None) == []


def test_ids_are_registered_unique_and_documented(dev, monkeypatch):
    registered = checks.registry.registry.get_checks()
    assert checks_dev.check_dev_settings in registered
    assert checks_dev.check_dev_middleware in registered
    source = Path(checks_dev.__file__).read_text()
    found = re.findall(r'id="(duet\.[EW]\d+)"', source)
    assert sorted(found) == IDS and len(set(found)) == len(found)
    docs = DOCS.read_text()
    for check_id in IDS:
        assert check_id in docs
