"""docs/spa.md's code blocks are what runs: each is marked ``<!-- tested: name -->`` and is either
run by tests/e2e/test_spa_static_host.py (``build``, ``nginx``, the deploy-time variants, read from
the page by spa_static_support.py) or found verbatim in the fixture app and API modules that test
deploys (checked here, without servers)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "spa.md"
FIXTURE = ROOT / "tests" / "fixtures" / "spa-frontend"
E2E = ROOT / "tests" / "e2e"
_BLOCK = re.compile(r"<!-- tested: ([\w-]+) -->\n```[\w-]*\n(.*?)```", re.S)
# Read from the page and run by the e2e test (spa_static_support.py).
RUN_BY_E2E = {"build", "nginx", "vite-config-deploy", "api-client-deploy", "deploy-config"}
# Found verbatim in a file the e2e test uses: block name -> that file.
VERBATIM = {
    "vite-config": FIXTURE / "vite.config.ts",
    "vite-env": FIXTURE / "src" / "vite-env.d.ts",
    "api-client": FIXTURE / "src" / "api.ts",
    "account": FIXTURE / "src" / "Account.tsx",
    "signup-client": FIXTURE / "src" / "Signup.tsx",
    "signup-view": E2E / "spa_static_accounts.py",
    "settings": E2E / "spa_static_api.py",
}


def blocks() -> dict[str, str]:
    return dict(_BLOCK.findall(PAGE.read_text()))


def test_every_code_block_is_marked_and_known():
    text = PAGE.read_text()
    assert text.count("```") == 2 * len(_BLOCK.findall(text))  # no unmarked block
    assert set(blocks()) == RUN_BY_E2E | set(VERBATIM) | {"create", "urls", "pip"}


@pytest.mark.parametrize("name", sorted(VERBATIM))
def test_block_is_verbatim_in_what_the_e2e_test_runs(name):
    used = VERBATIM[name].read_text().replace("  # noqa: E402", "")  # ruff's, in a module
    assert blocks()[name] in used, f"docs/spa.md's {name!r} block differs from {VERBATIM[name]}"


def test_the_fixture_is_what_the_create_block_makes():
    create = blocks()["create"]
    assert "npm create vite@latest my-spa -- --template react-ts" in create
    installed = re.search(r"^npm install (.+)$", create, re.M)
    assert installed
    package = json.loads((FIXTURE / "package.json").read_text())
    assert package["name"] == "my-spa" and package["type"] == "module"
    dependencies = {**package["dependencies"], **package["devDependencies"]}
    for name in installed[1].split():
        assert name in dependencies, name
    # create-vite's react-ts layout, and the lockfile `npm ci` needs.
    for file in ("index.html", "src/main.tsx", "src/App.tsx", "tsconfig.json", "package-lock.json"):
        assert (FIXTURE / file).is_file(), file
    assert dependencies["django-duet"] == "file:../../../js"  # the package of this checkout


def test_urls_block_mounts_what_the_api_mounts():
    used = (E2E / "spa_static_urls.py").read_text() + (ROOT / "example/example/urls.py").read_text()
    paths = re.findall(r'path\("([^"]+)", ([\w.]+(?:\([^)]*\))?)\)', blocks()["urls"])
    assert paths
    for route, view in paths:
        assert f'path("{route}", {view})' in used, route


def test_pip_block_installs_the_cors_extra():
    assert blocks()["pip"].strip() == 'pip install "django-duet[spa]"'
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(req.startswith("django-cors-headers") for req in extras["spa"])


def test_build_and_nginx_blocks_have_what_the_e2e_test_substitutes():
    found = blocks()
    assert re.fullmatch(
        r"VITE_API_URL=https://api\.example\.com/ npm run build", found["build"].strip()
    )
    assert "root /srv/my-spa/dist;" in found["nginx"]
    assert "try_files $uri /index.html;" in found["nginx"]
    assert json.loads(found["deploy-config"]) == {"apiUrl": "https://api.example.com/"}
