"""What the tests of real server bundles share (test_ssr_react.py, test_stream.py,
test_svelte_ssr.py, test_vue_ssr.py, test_vue_stream.py, and e2e/test_vue.py): a scratch build,
the bundle in the settings on fresh V8 engines, the framework's own Node renderer as the
oracle, and the HTML Django put in a container.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from django_duet.ssr.bundle import bundle_from_record, clear_cache
from django_duet.ssr.engine import discard_thread_engine

ROOT = Path(__file__).resolve().parents[2]
JS_PACKAGE = ROOT / "js"
REACT_NODE_MODULES = ROOT / "example" / "frontend" / "node_modules"  # vite, react, react-dom
VUE_FRONTEND = ROOT / "example-frameworks" / "vue-frontend"


def vite_build(frontend: Path, out: Path | None = None) -> Path:
    """``vite build`` of ``frontend`` (with its own node_modules) into ``out`` (by default its
    dist/); returns the output folder."""
    vite = frontend / "node_modules" / ".bin" / "vite"
    if not vite.exists():
        pytest.fail("npm deps missing: run `make node-deps` (make test does it).")
    command = [str(vite), "build", "--emptyOutDir", "--logLevel", "warn"]
    command += ["--outDir", str(out)] if out is not None else []
    subprocess.run(command, cwd=frontend, check=True, timeout=180)
    return out if out is not None else frontend / "dist"


def react_build(fixture: Path, root: Path, more: Iterable[Path] = ()) -> Path:
    """``fixture`` (and the files ``more``) copied to ``root`` and built with React 19 by its
    build.mjs (duetSsr() of the js package); returns ``root``."""
    if (
        not (REACT_NODE_MODULES / "react-dom").exists()
        or not (JS_PACKAGE / "dist" / "ssr.js").exists()
    ):
        pytest.fail("npm deps missing: run `make node-deps` (make test does it).")
    shutil.copytree(fixture, root)
    for path in more:
        shutil.copy(path, root / path.name)
    (root / "node_modules").symlink_to(REACT_NODE_MODULES, target_is_directory=True)
    build = ["node", "build.mjs", str(root), str(JS_PACKAGE)]
    subprocess.run(build, cwd=root, check=True, timeout=120)
    return root


@contextmanager
def ssr_bundle(settings: Any, dist: Path, timeout_ms: int) -> Iterator[None]:
    """The server bundle that duetSsr() built into ``dist`` as DUET["SSR_BUNDLE"], with a
    ``timeout_ms`` budget, on fresh V8 engines, discarded after the block."""
    bundle = bundle_from_record(dist / ".vite" / "duet-ssr.json")
    settings.DUET = {**settings.DUET, "SSR_BUNDLE": bundle, "SSR_TIMEOUT_MS": timeout_ms}
    clear_cache()
    discard_thread_engine()
    yield
    discard_thread_engine()
    clear_cache()


def page_template(settings: Any, folder: Path, template: str) -> None:
    """``template`` as "page.html", the only template Django finds (in ``folder``)."""
    (folder / "page.html").write_text(template)
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(folder)]}
    ]


def node_render(
    project: Path, jobs: list[tuple[str, dict[str, Any]]], *args: str, timeout: float = 120
) -> list[Any]:
    """The framework's own renderer in Node: ``node render.mjs [args] <jobs as JSON>`` in
    ``project``, one result a job."""
    done = subprocess.run(
        ["node", "render.mjs", *args, json.dumps(jobs)],
        cwd=project,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    return list(json.loads(done.stdout))


def inner(html: str) -> str:
    """What Django put inside the container (``render_component``'s HTML)."""
    return html.split(">", 1)[1].split("</div><script", 1)[0]


def container(html: str, component: str) -> str:
    """What a whole page holds in ``component``'s container."""
    found = re.search(
        rf'<div data-duet-ssr="{component}" data-duet-props="duet-ssr-\d+">(.*?)</div><script',
        html,
        re.S,
    )
    assert found is not None, html
    return found[1]


def read(response: Iterable[bytes]) -> list[tuple[float, str]]:
    """A streamed response's chunks, each with the seconds since the response was made."""
    started = time.monotonic()
    return [(time.monotonic() - started, chunk.decode()) for chunk in response]
