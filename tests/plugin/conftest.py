"""Tests of the pytest plugin itself: pytester runs pytest in a scratch folder, in a subprocess
(the outer run's Django settings stay out of it: ``-p no:django``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# A "build" that needs no Node: writes dist/out.txt from the sources and counts its runs.
FAKE_BUILD = """
import pathlib, sys, time
here = pathlib.Path.cwd()
runs = here.parent / "runs.txt"
runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
dist = here / "dist"
dist.mkdir(exist_ok=True)
(dist / "out.txt").write_text((here / "src" / "main.js").read_text())
"""


def build_runs(root: Path) -> int:
    runs = root / "runs.txt"
    return len(runs.read_text()) if runs.exists() else 0


@pytest.fixture
def frontend_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with ``frontend/`` (sources, lockfile, a fake build) and the plugin's ini."""
    monkeypatch.delenv("DUET_TEST_CACHE", raising=False)
    monkeypatch.delenv("DUET_BUILD", raising=False)
    frontend = pytester.path / "frontend"
    (frontend / "src").mkdir(parents=True)
    (frontend / "src" / "main.js").write_text("console.log('v1')\n")
    (frontend / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    (frontend / "build.py").write_text(FAKE_BUILD)
    pytester.makeini(
        f"""
        [pytest]
        duet_frontend_dir = frontend
        duet_build_command = {sys.executable} build.py 0.5
        """
    )
    return pytester.path


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:django", *args, timeout=180)
