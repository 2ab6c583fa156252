"""What the ``duet dev`` tests share (test_dev_hmr.py, test_dev_direct.py, test_vue_dev.py,
test_frameworks_svelte.py): a scratch copy of a frontend that a test may edit, ``duet dev`` on
example-frameworks, the dev server's life (its hot file gone after it), Vite's HMR client
connected, and an edit that must show up in place, without a page load.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from django_duet.testing.dev import VITE_PORTS, wait_for
from django_duet.testing.servers import ServerProcess, free_port, free_port_block

from .frameworks_support import PROJECT

if TYPE_CHECKING:
    from .conftest import ExampleDev

# Vite's dependency cache (node_modules/.vite, .vite-temp) stays private to each copy.
NOT_LINKED = (".vite", ".vite-temp", ".ci-stamp")


def link_node_modules(source: Path, copy: Path) -> None:
    """``copy/node_modules`` holding a link to each of ``source``'s packages."""
    modules = copy / "node_modules"
    modules.mkdir()
    for entry in (source / "node_modules").iterdir():
        if entry.name not in NOT_LINKED:
            (modules / entry.name).symlink_to(entry.resolve())


def scratch_copy(source: Path, target: Path) -> Path:
    """``source`` (a frontend) copied to ``target`` for a test to edit, without its build, hot
    file and Vite's config timestamps; its node_modules linked entry by entry."""
    if not (source / "node_modules" / ".bin" / "vite").exists() or shutil.which("npm") is None:
        pytest.fail(f"duet dev needs npm and {source}/node_modules: run `make node-deps`.")
    ignore = shutil.ignore_patterns("node_modules", "dist", ".duet-hot", "*.timestamp-*")
    shutil.copytree(source, target, ignore=ignore)
    link_node_modules(source, target)
    return target


def empty_frontend(target: Path, node_modules_of: Path) -> Path:
    """An empty Vite project in ``target`` (Vite from ``node_modules_of``), to stand for a
    frontend that a test does not depend on."""
    target.mkdir()
    (target / "package.json").write_text('{"name": "other", "private": true, "type": "module"}\n')
    link_node_modules(node_modules_of, target)
    return target


def assert_no_hot_file(frontend: Path) -> None:
    assert not (frontend / ".duet-hot").exists(), "the hot file outlived the dev server"


@contextmanager
def running(dev: ExampleDev) -> Iterator[ExampleDev]:
    """``dev`` (conftest.py's ``example_dev``) until the block ends; then its hot file gone."""
    with dev.server:
        yield dev
    assert_no_hot_file(dev.frontend)


@dataclass(frozen=True)
class FrameworksDev:
    """``duet dev`` on example-frameworks: the server, the copy of the frontend the test edits,
    the first Vite's port (the Vue frontend's; the Svelte one's is the next)."""

    server: ServerProcess
    frontend: Path
    vite_port: int
    asgi: bool


@contextmanager
def frameworks_dev(
    mode: str, env: Mapping[str, str], frontend: Path, vite_client: str
) -> Iterator[FrameworksDev]:
    """``manage.py duet dev`` on example-frameworks under runserver, or Django under uvicorn if
    ``mode`` is "asgi" (the HMR WebSocket through Django's origin too), with ``env`` naming the
    frontends' copies. Up once ``vite_client``, a Vite client's path, answers through Django;
    ``frontend``'s hot file is gone once the server stopped."""
    port, vite_port = free_port(), free_port_block(VITE_PORTS)
    command = [sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}"]
    command += ["--vite-port", str(vite_port), "--noreload"]
    command += ["--asgi"] if mode == "asgi" else []
    server = ServerProcess(
        command,
        port=port,
        cwd=PROJECT,
        env={"DJANGO_SETTINGS_MODULE": "frameworks.settings", "DJANGO_DEBUG": "1", **env},
        name=f"duet dev ({mode})",
        start_timeout=60.0,
    )
    with server:
        client = server.url + vite_client
        if not wait_for(client, 60.0):  # Vite up behind Django
            pytest.fail(f"duet dev: Vite never answered {client}:\n{server.output()}")
        yield FrameworksDev(server, frontend, vite_port, asgi=mode == "asgi")
    assert_no_hot_file(frontend)


def vite_connected(page: Any, messages: list[str], timeout: float = 20.0) -> None:
    """Waits until Vite's HMR client says in ``messages`` (the page's console) it connected."""
    deadline = time.monotonic() + timeout
    while not any("[vite] connected" in m for m in messages):
        if time.monotonic() > deadline:
            raise AssertionError(f"the HMR client never connected; console: {messages}")
        page.wait_for_timeout(100)


def write_whole(source: Path, text: str) -> None:
    """``text`` over ``source`` in one write(2), cut to its length only after: Vite's watcher
    never reads the file empty, as it may between ``write_text``'s truncation and its write
    (Fast Refresh then drops the component, 'export ... removed', and the page reloads)."""
    data = text.encode()
    fd = os.open(source, os.O_WRONLY)
    try:
        if os.write(fd, data) != len(data):
            raise AssertionError(f"{source}: a short write")
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def edit_until_shown(source: Path, text: str, shown: Callable[[float], None]) -> None:
    """Writes ``text`` and waits for ``shown``; writes it again if the watcher missed it.

    Under load Vite's file watcher may still be scanning when a test's first edit lands and
    miss it (an mtime within its scan): a second write is a new change event. What is tested,
    the edit applied in place with state kept, is the same."""
    for attempt in range(3):
        write_whole(source, text)
        try:
            shown(10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
            time.sleep(0.5)


def edit_in_place(
    page: Any,
    source: Path,
    text: str,
    shows: Any,
    expected: str | re.Pattern[str],
    messages: list[str],
    output: Callable[[], str],
) -> None:
    """``text`` written to ``source`` until the locator ``shows`` has the ``expected`` text,
    in the same document: no page load. On failure, says whether the page reloaded, what its
    console (``messages``) and the dev server (``output()``) logged."""
    page.evaluate("window.__sameDocument = true")
    try:
        edit_until_shown(
            source, text, lambda timeout: expect(shows).to_have_text(expected, timeout=timeout)
        )
    except AssertionError as failed:
        reloaded = page.evaluate("window.__sameDocument") is not True
        raise AssertionError(
            f"{failed}\nfull reload: {reloaded}; console: {messages}\n"
            f"dev server: {output()[-4000:]}"
        ) from None
    assert page.evaluate("window.__sameDocument") is True, f"full reload; console: {messages}"
