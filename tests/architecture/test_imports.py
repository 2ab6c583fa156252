"""The tree is the architecture: data flows one way, with no import cycle (ARCHITECTURE.md)."""

from __future__ import annotations

import importlib

import pytest

from tests.architecture.imports import find_cycle, import_graph

# Import paths that the docs tell users to write: each must keep working.
DOCUMENTED = [
    ("django_duet.static", "DuetStaticMiddleware"),
    ("django_duet.static", "PublicFilesMiddleware"),
    ("django_duet.storage", "DuetStaticFilesStorage"),
    ("django_duet.storage_s3", "DuetS3StaticStorage"),
    ("django_duet.proxy", "DevProxyMiddleware"),
    ("django_duet.asgi", "duet_asgi"),
    ("django_duet.views", "client_routes"),
    ("django_duet.spa", "configure"),
    ("django_duet.spa", "spa_settings"),
    ("django_duet.render", "render_entries"),
    ("django_duet.render", "csp_nonce"),
    ("django_duet.version", "BuildIdMiddleware"),
    ("django_duet.session_views", "csrf_failure"),
    ("django_duet.session_views", "serialize_user"),
    ("django_duet.jsonapi", "InvalidRequest"),
    ("django_duet.jsonapi", "error"),
    ("django_duet.jsonapi", "json_endpoint"),
    ("django_duet.jsonapi", "read_fields"),
    ("django_duet.tokens.middleware", "TokenAuthenticationMiddleware"),
    ("django_duet.tokens.drf", "DuetTokenAuthentication"),
    ("django_duet.tokens.ninja", "DuetBearer"),
    ("django_duet.tokens.refresh", "purge"),
    ("django_duet.ssr", "render_component"),
    ("django_duet.pages.islands", "island_html"),
    ("django_duet.jinja2", "environment"),
    ("django_duet.jinja2", "add_globals"),
    ("django_duet.ssr.preload", "preload_library"),
    ("django_duet.exceptions", "DuetError"),
    ("django_duet.testing.servers", "free_port"),
    ("django_duet.testing.servers", "ServerProcess"),
    ("django_duet.testing.recorder", "replay"),
    ("django_duet.testing.s3", "SeaweedS3"),
    ("django_duet.testing.nginx", "nginx_process"),
    ("django_duet.pytest_plugin", "duet_page"),
    ("django_duet.urls", "urlpatterns"),
]

FACADES = {
    "django_duet.static",
    "django_duet.storage",
    "django_duet.storage_s3",
    "django_duet.proxy",
    "django_duet.asgi",
    "django_duet.views",
    "django_duet.spa",
    "django_duet.render",
    "django_duet.version",
    "django_duet.session_views",
    "django_duet.jsonapi",
    "django_duet.pytest_plugin",
    "django_duet.jinja2",
}


@pytest.mark.parametrize(("module", "name"), DOCUMENTED, ids=lambda v: v)
def test_documented_import_paths_work(module: str, name: str) -> None:
    assert callable(getattr(importlib.import_module(module), name)) or name == "urlpatterns"


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_subsystems_never_import_the_facades() -> None:
    """Facades re-export for users; inside the package code imports where things live."""
    offenders = {
        module: sorted(imported & FACADES)
        for module, imported in import_graph().items()
        if module not in FACADES and module != "django_duet.testing.plugin" and imported & FACADES
    }
    assert offenders == {}


def test_the_package_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _subsystem(module: str) -> str:
    """``django_duet.build.loader`` -> ``build``; root modules are themselves (``conf``)."""
    return module.split(".")[1] if module.count(".") else "root"


SUBSYSTEMS = {
    "build",
    "pages",
    "serving",
    "dev",
    "sessions",
    "tokens",
    "ssr",
    "contract",
    "cli",
    "testing",
}
# What each lower subsystem must never import (ARCHITECTURE.md's table, as a machine reads it).
NEVER = {
    "conf": SUBSYSTEMS - {"build"},  # conf -> build.formats: a format's default manifest name
    "caches": SUBSYSTEMS,
    "exceptions": SUBSYSTEMS,
    "models": SUBSYSTEMS,
    "sync_async": SUBSYSTEMS,
    "asgi_types": SUBSYSTEMS,
    "build": SUBSYSTEMS - {"build"},
    "sessions": SUBSYSTEMS - {"sessions"},
    "tokens": SUBSYSTEMS - {"tokens", "sessions"},
    "contract": SUBSYSTEMS - {"contract"},
}


def test_lower_subsystems_never_import_higher_ones() -> None:
    offenders = sorted(
        (module, imported)
        for module, imports in import_graph().items()
        for imported in imports
        if _subsystem(imported) in NEVER.get(_subsystem(module), set())
    )
    assert offenders == []


# The proxy needs the [devserver] extra: outside development, importing a module loads only
# these dev modules; the rest is imported inside functions, once development claims a request.
LIGHT_DEV = {
    "django_duet.dev.server",
    "django_duet.dev.tags",
    "django_duet.dev.checks",
    "django_duet.dev.commands",  # DEV_COMMANDS and its check: no proxy, no urllib3
}
DEV_USERS = {"dev", "cli", "testing", "proxy"}


def test_production_imports_load_no_part_of_the_dev_proxy() -> None:
    offenders = sorted(
        (module, imported)
        for module, imports in import_graph(import_time=True).items()
        for imported in imports
        if _subsystem(imported) == "dev"
        and imported not in LIGHT_DEV
        and _subsystem(module) not in DEV_USERS
    )
    assert offenders == []


def test_only_the_cli_and_the_plugin_are_entry_points() -> None:
    graph = import_graph()
    cli_users = {m for m, imports in graph.items() if any(_subsystem(i) == "cli" for i in imports)}
    testing_users = {
        m for m, imports in graph.items() if any(_subsystem(i) == "testing" for i in imports)
    }
    assert {_subsystem(m) for m in cli_users} <= {"cli", "management", "__main__"}
    assert {_subsystem(m) for m in testing_users} <= {"testing", "pytest_plugin"}
