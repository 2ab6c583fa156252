"""The one check registry: each duet check registered once, under its tags, its ids documented.

What a check can emit is read from its code (the id literals in it and in the package functions it
calls, transitively), so a new id or a moved one is found without a list kept by hand.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
import types
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.checks import Tags, run_checks
from django.core.checks.registry import registry
from django.core.management import call_command

import django_duet
from django_duet import checks as duet_registry

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHECKS_PAGE = DOCS / "checks.md"
ID = re.compile(r"duet\.[EW]\d{3}")


def _ids_in(function: Any, seen: set[Any]) -> set[str]:
    """The id literals in ``function`` and in every django_duet function it names."""
    if function in seen:
        return set()
    seen.add(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and ID.fullmatch(node.value)
        ):
            found.add(node.value)
        target = None
        if isinstance(node, ast.Name):
            target = function.__globals__.get(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = function.__globals__.get(node.value.id)
            if isinstance(owner, types.ModuleType):
                target = getattr(owner, node.attr, None)
        if inspect.isfunction(target) and target.__module__.startswith("django_duet."):
            found |= _ids_in(target, seen)
    return found


def emitted(function: Any) -> set[str]:
    return _ids_in(function, set())


def duet_registered(deploy: bool) -> set[Any]:
    return {
        check
        for check in registry.get_checks(include_deployment_checks=deploy)
        if check.__module__.startswith("django_duet.")
    }


def documented_rows() -> dict[frozenset[str], tuple[frozenset[str], bool]]:
    """docs/checks.md's table: the ids of a row -> (its Django tags, whether --deploy only)."""
    rows: dict[frozenset[str], tuple[frozenset[str], bool]] = {}
    for line in CHECKS_PAGE.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not ID.search(cells[1]):
            continue
        ids = frozenset(ID.findall(cells[1]))
        tags = frozenset(re.findall(r"`(\w+)`", cells[2])) - {duet_registry.TAG}
        assert cells[3] in ("always", "`--deploy`"), line
        assert ids not in rows, f"two rows list {sorted(ids)}"
        rows[ids] = (tags, cells[3] == "`--deploy`")
    return rows


def test_every_registered_check_is_listed_with_its_tags_deploy_flag_and_ids():
    normal, everything = duet_registered(False), duet_registered(True)
    listed = {entry.check for entry in duet_registry.CHECKS}
    assert everything == listed
    rows = documented_rows()
    actual = {}
    for entry in duet_registry.CHECKS:
        check = entry.check
        assert set(check.tags) == {duet_registry.TAG, *entry.tags}, check.__name__
        assert (check in normal) is not entry.deploy, check.__name__
        ids = emitted(check)
        assert ids, f"{check.__name__} emits no duet id"
        actual[frozenset(ids)] = (frozenset(entry.tags), entry.deploy)
    assert actual == rows  # docs/checks.md: one row per check, with its tags and deploy flag


def _ids(registrations: list[duet_registry.Registration]) -> set[str]:
    return {check_id for entry in registrations for check_id in emitted(entry.check)}


def test_deploy_flags_are_the_ones_the_pages_already_documented():
    marked = set()
    for page in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        for line in page.read_text().splitlines():
            if line.startswith("| `duet.") and ("(deploy)" in line or "| deploy |" in line):
                marked |= set(ID.findall(line.split("|")[1]))
    assert marked == _ids([entry for entry in duet_registry.CHECKS if entry.deploy])


def test_session_cors_csrf_and_token_checks_run_under_security():
    pages = ("sessions-and-csrf.md", "tokens.md")
    documented = {i for page in pages for i in ID.findall((DOCS / page).read_text())}
    security = [entry for entry in duet_registry.CHECKS if Tags.security in entry.tags]
    assert documented and documented <= _ids(security)


def test_each_id_has_one_meaning_one_check():
    owners = Counter(check_id for e in duet_registry.CHECKS for check_id in emitted(e.check))
    assert [check_id for check_id, n in owners.items() if n > 1] == []
    functions = Counter(entry.check for entry in duet_registry.CHECKS)
    assert [f.__name__ for f, n in functions.items() if n > 1] == []


def test_documented_ids_are_the_ids_in_the_source():
    in_docs = {
        i for page in [*DOCS.glob("*.md"), ROOT / "README.md"] for i in ID.findall(page.read_text())
    }
    in_checks = {i for entry in duet_registry.CHECKS for i in emitted(entry.check)}
    in_source = set()
    for path in (ROOT / "src" / "django_duet").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                in_source |= {node.value} if ID.fullmatch(node.value) else set()
    assert in_source == in_checks  # every id literal is one a registered check emits
    assert in_docs == in_checks  # and every one is documented, and nothing else is


def _modules() -> list[types.ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(django_duet.__path__, "django_duet.")]
    return [importlib.import_module(n) for n in names if not n.startswith("django_duet.testing")]


def test_every_check_function_in_the_package_is_in_the_registry():
    """A function shaped like a check (app_configs, **kwargs) that nobody registered never runs."""
    listed = {entry.check for entry in duet_registry.CHECKS}
    for module in _modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters.values())
            if parameters and parameters[0].name == "app_configs":
                assert function in listed, f"{module.__name__}.{name} is not in checks.CHECKS"


def test_ready_twice_registers_nothing_twice():
    before = (set(registry.registered_checks), set(registry.deployment_checks))
    apps.get_app_config("django_duet").ready()
    duet_registry.register_checks()
    assert (set(registry.registered_checks), set(registry.deployment_checks)) == before


@pytest.fixture
def bad_cookie(settings):
    settings.SESSION_COOKIE_SAMESITE = "None"
    settings.SESSION_COOKIE_SECURE = False


def test_a_bad_cookie_is_reported_under_the_security_tag_only(bad_cookie):
    assert "duet.E016" in {m.id for m in run_checks(tags=[Tags.security])}
    assert "duet.E016" not in {m.id for m in run_checks(tags=[Tags.staticfiles])}
    assert "duet.E016" in {m.id for m in run_checks(tags=[duet_registry.TAG])}


def test_manage_py_check_tag_security_runs_duets_security_checks(bad_cookie):
    from django.core.management.base import SystemCheckError

    with pytest.raises(SystemCheckError, match=r"duet\.E016"):
        call_command("check", tags=["security"])
    call_command("check", tags=["staticfiles"])  # the cookie is not a staticfiles problem


def test_deploy_only_security_checks_run_with_deploy(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["http://app.example.com"]
    assert "duet.W013" not in {m.id for m in run_checks(tags=[Tags.security])}
    deploy = run_checks(tags=[Tags.security], include_deployment_checks=True)
    assert "duet.W013" in {m.id for m in deploy}
