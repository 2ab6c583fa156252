"""docs/types.md's blocks, run: its URLconf and converter in a scratch package, `duet types`'s
module for it, and its usage block through tsc; the values its comments promise, through Node."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from django.urls import clear_url_caches, reverse

from django_duet.contract.routes import collect_routes
from django_duet.contract.typescript import render_routes
from tests.contract.typescript_check import tsc

DOCS = Path(__file__).resolve().parents[2] / "docs" / "types.md"


def block(name: str) -> str:
    match = re.search(rf"<!-- types-docs: {name} -->\n```\w+\n(.*?)```", DOCS.read_text(), re.S)
    assert match, f"docs/types.md has no block {name!r}"
    return match.group(1)


VIEWS = """
from django.http import HttpResponse

def _view(request, **kwargs):
    return HttpResponse()

home = item_list = item_detail = item_edit = download = _view
"""


@pytest.fixture
def docs_urlconf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    package = tmp_path / "typesdocs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text(VIEWS)
    (package / "urls.py").write_text(block("urls"))
    (package / "converters.py").write_text(block("converter"))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "typesdocs.urls"
    clear_url_caches()
    for module in [m for m in sys.modules if m.startswith("typesdocs")]:
        del sys.modules[module]


def test_the_usage_block_type_checks_and_its_comments_are_djangos_answers(
    docs_urlconf: str, tmp_path: Path
) -> None:
    folder = tmp_path / "src"
    (folder / "duet").mkdir(parents=True)
    (folder / "duet" / "routes.ts").write_text(render_routes(*collect_routes(docs_urlconf)))
    usage = block("usage")
    done = tsc(folder / "usage.ts", usage)
    assert done.returncode == 0, done.stdout
    promised = re.findall(
        r'reverse\("([^"]+)"(?:, \{ (\w+): ("?[^"}]+"?) \})?\); // "([^"]+)"', usage
    )
    assert len(promised) == 4
    for name, key, value, shown in promised:
        kwargs = {key: value.strip('"') if value.startswith('"') else int(value)} if key else {}
        assert reverse(name, docs_urlconf, kwargs=kwargs) == shown


def test_the_converter_block_names_its_typescript_type(docs_urlconf: str) -> None:
    import importlib

    from django.urls import path

    importlib.import_module("typesdocs.converters")  # registers "year"
    urls = importlib.import_module(docs_urlconf)
    urls.urlpatterns.append(path("by-year/<year:year>/", urls.urlpatterns[0].callback, name="year"))
    clear_url_caches()
    routes, _ = collect_routes(docs_urlconf)
    [year] = [r for r in routes if r.name == "year"]
    assert [(p.name, p.typescript) for p in year.variants[0].params] == [("year", "number")]


EXAMPLE_MODULES = Path(__file__).resolve().parents[2] / "example" / "frontend" / "node_modules"


@pytest.fixture
def docs_props(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from django_duet.contract import props as registry

    saved = dict(registry._declared)
    (tmp_path / "typesdocs_props.py").write_text(block("props"))
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    module = importlib.import_module("typesdocs_props")
    yield module
    del sys.modules["typesdocs_props"]
    registry._declared.clear()
    registry._declared.update(saved)
    registry._shape.cache_clear()


def test_the_props_blocks_type_check_together(docs_props, tmp_path: Path) -> None:
    from django_duet.contract.props import declared
    from django_duet.contract.props_typescript import render_props
    from django_duet.contract.shapes import shape_of

    folder = tmp_path / "frontend" / "src"
    (folder / "duet").mkdir(parents=True)
    (tmp_path / "frontend" / "node_modules").symlink_to(EXAMPLE_MODULES)  # React's types
    components = {name: shape_of(kind, name) for name, kind in declared().items()}
    assert set(components) == {"Basket"}
    (folder / "duet" / "props.ts").write_text(render_props(components))
    usage = block("props-usage")
    done = tsc(folder / "Basket.tsx", usage, "--jsx", "react-jsx")
    assert done.returncode == 0, done.stdout
    renamed = usage.replace("{ owner, items", "{ ownerName, items").replace(
        "{owner}:", "{ownerName}:"
    )
    done = tsc(folder / "Basket.tsx", renamed, "--jsx", "react-jsx")
    assert done.returncode != 0 and "ownerName" in done.stdout, done.stdout


def test_the_error_shown_is_the_one_raised(docs_props) -> None:
    from django.test import override_settings

    from django_duet.contract.props import PropsError, check_props

    shown = re.search(r"```text\n(The props given to 'Basket'.*?)```", DOCS.read_text(), re.S)
    assert shown
    value = {"owner": "Ada", "items": [{"sku": "mug", "price": "9.50"}]}
    with override_settings(DEBUG=True), pytest.raises(PropsError) as raised:
        check_props("Basket", value)
    assert str(raised.value).startswith(shown.group(1).rstrip("\n"))
