"""A read-only BUILD_DIR and STATIC_ROOT (an immutable container image): serving and
rendering work; ``duet build``'s record step fails with a clear message.

As root, a read-only bind mount makes the folders really read-only (root ignores file
modes); otherwise the folders lose their write permission.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management.base import OutputWrapper
from django.template import engines
from django.test import Client, RequestFactory

from django_duet.cli import build as build_command


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    if os.geteuid() == 0 and shutil.which("mount"):
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(
                ["mount", "-o", "remount,bind,ro", str(folder)], check=True, capture_output=True
            )
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    modes = {}
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            modes[path] = path.stat().st_mode
            path.chmod(modes[path] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield folder
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.fixture
def frozen(collected, build_dir, settings) -> Iterator[tuple[Path, Path]]:
    settings.DUET = {**settings.DUET, "SRI": True}  # hashes computed from read-only files
    with read_only(build_dir), read_only(Path(collected)):
        probe = build_dir / ".vite" / "probe"
        with pytest.raises(OSError):
            probe.write_text("x")
        yield build_dir, Path(collected)


def test_static_files_are_served(frozen, client):
    response = client.get("/static/assets/big-B1gB1g00.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    b"".join(response.streaming_content)


def test_pages_render_with_integrity(frozen):
    html = (
        engines["django"]
        .from_string('{% load duet %}{% duet_entry "src/main.tsx" %}')
        .render({}, RequestFactory().get("/"))
    )
    assert '<script type="module" src="/static/assets/main-AbCd1234.js"' in html
    assert 'integrity="sha384-' in html
    assert Client().get("/app/deep/link").status_code == 200


def test_duet_build_record_step_fails_clearly(frozen, monkeypatch):
    build_dir, _ = frozen
    monkeypatch.setattr(
        build_command, "_npm", lambda config, args, env=None: None
    )  # the bundler ran
    out, err = StringIO(), StringIO()
    status = build_command.run(
        {"no_install": True, "no_collectstatic": True}, OutputWrapper(out), OutputWrapper(err)
    )
    assert status == 1
    assert "duet build [2/3] record" in out.getvalue()
    message = err.getvalue()
    assert message.startswith("duet build failed at step 'record': ")
    assert f"cannot write the build record in {build_dir / '.vite'}" in message
    assert "BUILD_DIR must be writable while building" in message
