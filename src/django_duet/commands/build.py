"""``duet build``: one command that makes a deployable unit, failing loudly at the step that broke.

install (npm ci, from the lockfile) -> build (npm run build, with DUET_STATIC_URL) -> record
(sha384 of every file, the build id) -> check (as ``duet check-build``) -> collectstatic.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from ..buildinfo import BuildRecord, write_record
from ..conf import conf
from ..exceptions import DuetError
from .check_build import problems_of_build

HELP = "Install and build the frontend from its lockfile, check the build, collect static files."


class StepFailed(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-install", action="store_true", help="skip `npm ci`")
    parser.add_argument("--no-collectstatic", action="store_true", help="skip collectstatic")


def _npm(args: list[str], env: dict[str, str] | None = None) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise StepFailed("npm is not on PATH: install Node.js 20 or newer (it ships npm)")
    frontend = conf.FRONTEND_DIR
    if not (frontend / "package.json").is_file():
        raise StepFailed(
            f"no package.json in {frontend}: set DUET['FRONTEND_DIR'] to your Vite project"
        )
    if args[0] == "ci" and not (frontend / "package-lock.json").is_file():
        raise StepFailed(f"no package-lock.json in {frontend}: run `npm install` and commit it")
    result = subprocess.run([npm, *args], cwd=frontend, env={**os.environ, **(env or {})})
    if result.returncode:
        raise StepFailed(f"`npm {' '.join(args)}` exited with {result.returncode} (output above)")


def _static_url() -> str:
    url = str(settings.STATIC_URL or "")
    if not url:
        raise StepFailed("STATIC_URL is not set: the build needs it as its base")
    return url if "://" in url or url.startswith("/") else "/" + url


def _check() -> None:
    problems = problems_of_build()
    if problems:
        raise StepFailed("the build is not deployable:\n  " + "\n  ".join(problems))


def _record() -> BuildRecord:
    try:
        return write_record(conf.BUILD_DIR)
    except OSError as exc:
        if not isinstance(exc, PermissionError) and exc.errno != errno.EROFS:
            raise
        raise StepFailed(
            f"cannot write the build record in {conf.BUILD_DIR / '.vite'} ({exc.strerror}). "
            "BUILD_DIR must be writable while building; serve it read-only afterwards"
        ) from None


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    steps: list[tuple[str, Callable[[], object]]] = []
    if not options["no_install"]:
        steps.append(("install", lambda: _npm(["ci"])))
    steps += [
        ("build", lambda: _npm(["run", "build"], {"DUET_STATIC_URL": _static_url()})),
        ("record", lambda: stdout.write(f"build id {_record().build_id}")),
        ("check", _check),
    ]
    if not options["no_collectstatic"]:
        steps.append(("collectstatic", lambda: call_command("collectstatic", interactive=False)))
    for number, (name, step) in enumerate(steps, 1):
        stdout.write(f"duet build [{number}/{len(steps)}] {name}")
        try:
            step()
        except StepFailed as exc:
            stderr.write(f"duet build failed at step '{name}': {exc}")
            return 1
        except (DuetError, CommandError, OSError, ValueError) as exc:  # a step's own error
            stderr.write(f"duet build failed at step '{name}': {type(exc).__name__}: {exc}")
            return 1
    stdout.write("duet build: done, the build is deployable")
    return 0
