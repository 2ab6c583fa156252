"""Settings only through conf: no module but conf.py reads settings.DUET or conf's reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

from django_duet.conf import DEFAULTS, conf

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "django_duet"
# settings.DUET, getattr(settings, "DUET", ...), and conf._get(...) / frontend._get(...)
RAW_ACCESS = re.compile(r"""settings\.DUET\b|getattr\(\s*settings\s*,\s*["']DUET["']|\._get\(""")


def test_only_conf_reads_the_duet_setting():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "conf.py" or path.parent != PACKAGE
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_ACCESS.search(line)
    ]
    assert offenders == [], "read settings through django_duet.conf (conf.raw for checks)"


def test_raw_gives_the_unvalidated_value_or_the_default():
    with override_settings(DUET={"DEV_PROXY_TIMEOUT": "soon", "FRONTENDS": {"a": {}}}):
        assert conf.raw("DEV_PROXY_TIMEOUT") == "soon"  # the property falls back; raw does not
        assert conf.DEV_PROXY_TIMEOUT == 30.0  # the default
        assert conf.raw("SSR_HEAP_MB") == DEFAULTS["SSR_HEAP_MB"]
        assert conf.is_set("DEV_PROXY_TIMEOUT") and not conf.is_set("SSR_HEAP_MB")
    with override_settings(DUET={"FRONTENDS": {"staff": {"FRONTEND_DIR": "/x", "HOT_FILE": 3}}}):
        staff = conf.frontend("staff")
        assert staff.raw("HOT_FILE") == 3  # a frontend's own key
        assert staff.raw("MANIFEST_FORMAT") is None  # never the default frontend's


def test_raw_refuses_a_name_that_is_not_a_setting():
    with pytest.raises(KeyError):
        conf.raw("DEV_PROXY_TIMEOUTS")
