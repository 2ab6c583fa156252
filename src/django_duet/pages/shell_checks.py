"""System check of the client-routes shells (docs/router-under-a-prefix.md): duet.E133.

The catch-all view refuses a shell that loads a file by a relative URL when it serves it; this
check says so before any request, for every ``client_routes(...)`` in the URLconf whose
frontend has a build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver

from django_duet.conf import conf
from django_duet.pages.client_routes import ClientRoutesView
from django_duet.pages.shell import RelativeUrlInShell, relative_urls

_PATH_GROUP = "(?P<path>"


def _shells(
    patterns: Sequence[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str, str | None]]:
    """(URL prefix, html, frontend) of every client-routes view, at any depth of include()."""
    for entry in patterns:
        text = str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            yield from _shells(entry.url_patterns, prefix + text)
            continue
        view = getattr(entry.callback, "view_class", None)
        if view is None or not issubclass(view, ClientRoutesView):
            continue
        initkwargs = getattr(entry.callback, "view_initkwargs", {})
        own = text.split(_PATH_GROUP, 1)[0].replace("\\", "")
        yield (
            "/" + prefix + own,
            initkwargs.get("html", view.html),
            initkwargs.get("frontend", view.frontend),
        )


def check_shell_urls(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E133: a built shell loads a file by a URL relative to the route."""
    errors: list[CheckMessage] = []
    try:
        shells = list(_shells(get_resolver().url_patterns))
    except (ImportError, ImproperlyConfigured):  # a broken URLconf: Django's own checks say it
        return []
    for base, html, name in shells:
        try:
            frontend = conf.frontend(name)
            path = frontend.BUILD_DIR / html
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ImproperlyConfigured):
            continue  # no build yet (duet.E001), or a frontend duet.E110 reports
        found = relative_urls(source)
        if found:
            problem = RelativeUrlInShell(str(path), found, re.sub("/+", "/", base))
            message, _, hint = str(problem).partition(" Import ")
            errors.append(Error(message, hint="Import " + hint, id="duet.E133"))
    return errors
