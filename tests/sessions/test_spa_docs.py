"""docs/sessions-and-csrf.md's table of what spa.configure changes: every setting it can change
is a row, and each value it adds is named there."""

from __future__ import annotations

import re
from pathlib import Path

from django_duet.sessions import spa

DOCS = Path(__file__).parents[2] / "docs" / "sessions-and-csrf.md"
BASE = {
    "INSTALLED_APPS": ["django.contrib.auth"],
    "MIDDLEWARE": ["django.middleware.common.CommonMiddleware"],
    "CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN",  # so CORS_ALLOW_HEADERS changes too
}


def table_rows() -> dict[str, str]:
    """The first column's setting names -> the row's text."""
    text = DOCS.read_text()
    table = text[text.index("| setting | value | why |") :].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        first = line.split("|")[1]
        for name in re.findall(r"`([A-Z_]+)(?:\[[^\]]*\])?`", first):
            rows[name] = line
    return rows


def test_every_setting_the_preset_changes_is_a_row():
    changes = spa.spa_settings(
        BASE,
        ["https://app.example.net"],
        api_origin="https://api.example.com",  # cross-site: the cookie flags change too
        cookie_domain="api.example.com",
    )
    assert set(changes) - set(table_rows()) == set()


def test_the_rows_name_what_the_preset_adds():
    rows = table_rows()
    for header in spa.EXPOSE_HEADERS:  # the throttle's wait and the build id
        assert f"`{header}`" in rows["CORS_EXPOSE_HEADERS"], header
    default_regex = spa.api_urls_regex(spa.DEFAULT_API_PREFIXES)
    assert f'r"{default_regex}"' in rows["CORS_URLS_REGEX"]
