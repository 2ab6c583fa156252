"""``duet build``: one command that makes a deployable unit, failing loudly at the step that broke.

For each frontend (all of ``DUET["FRONTENDS"]``, or those named with ``--frontend``): install
(the frozen install of the package manager whose lockfile the frontend commits: npm ci, yarn,
pnpm; see ``package_managers``) -> build (``<tool> run build``, with DUET_STATIC_URL and
DUET_STATIC_PREFIX)
-> record (sha384 of every file, the build id) -> check (as ``duet check-build``); then
collectstatic, once.
"""

from __future__ import annotations

import argparse
import errno
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from django_duet.build.record import BuildRecord, write_record
from django_duet.cli import package_managers
from django_duet.cli.check_build import chosen_frontends, problems_of_build
from django_duet.cli.package_managers import PackageManager, PackageManagerError
from django_duet.conf import Settings
from django_duet.exceptions import DuetError

HELP = "Install and build the frontend from its lockfile, check the build, collect static files."


class StepFailed(DuetError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="skip the frozen install (`npm ci`, `yarn install --frozen-lockfile` or "
        "`--immutable`, `pnpm install --frozen-lockfile`: from the frontend's lockfile)",
    )
    parser.add_argument("--no-collectstatic", action="store_true", help="skip collectstatic")
    parser.add_argument(
        "--frontend",
        action="append",
        metavar="NAME",
        help="build only this frontend of DUET['FRONTENDS'] (repeatable; default: all)",
    )


def _frontend(config: Settings) -> Path:
    frontend = config.FRONTEND_DIR
    if not (frontend / "package.json").is_file():
        setting = (
            "DUET['FRONTEND_DIR']"
            if config.is_default
            else (f"DUET['FRONTENDS'][{config.name!r}]['FRONTEND_DIR']")
        )
        raise StepFailed(f"no package.json in {frontend}: set {setting} to your Vite project")
    return frontend


def _tool(config: Settings) -> tuple[Path, PackageManager, str]:
    """The frontend, its package manager (from its lockfile) and the tool's path."""
    frontend = _frontend(config)
    try:
        manager = package_managers.detect(frontend)
        return frontend, manager, package_managers.executable(manager, frontend)
    except PackageManagerError as exc:
        raise StepFailed(str(exc)) from None


def _run(manager: PackageManager, command: list[str], frontend: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=frontend, env={**os.environ, **env})
    if result.returncode:
        raise StepFailed(
            f"`{manager.describe(command)}` exited with {result.returncode} (output above)"
        )


def _npm(config: Settings, args: list[str], env: dict[str, str] | None = None) -> None:
    """Runs the frontend's package manager (npm, yarn or pnpm, from its lockfile; the name is
    npm's, the one tool it was): ``["ci"]`` is that tool's frozen install (the lockfile is never
    rewritten), other ``args`` are passed as they are (``["run", "build"]``)."""
    frontend, manager, path = _tool(config)
    if args == ["ci"]:
        try:
            package_managers.check_yarn_version(manager, path, frontend)
        except PackageManagerError as exc:
            raise StepFailed(str(exc)) from None
        command = manager.install_command(path)
    else:
        command = [path, *args]
    _run(manager, command, frontend, env or {})


def _static_url() -> str:
    url = str(settings.STATIC_URL or "")
    if not url:
        raise StepFailed("STATIC_URL is not set: the build needs it as its base")
    return url if "://" in url or url.startswith("/") else "/" + url


def _build_env(config: Settings) -> dict[str, str]:
    # Django's settings are the truth: the Vite plugin takes both over its own options.
    return {"DUET_STATIC_URL": _static_url(), "DUET_STATIC_PREFIX": config.STATIC_PREFIX}


def _check(config: Settings) -> None:
    problems = problems_of_build(config)
    if problems:
        raise StepFailed("the build is not deployable:\n  " + "\n  ".join(problems))


def _record(config: Settings) -> BuildRecord:
    try:
        return write_record(config.BUILD_DIR)
    except OSError as exc:
        if not isinstance(exc, PermissionError) and exc.errno != errno.EROFS:
            raise
        raise StepFailed(
            f"cannot write the build record in {config.BUILD_DIR / '.vite'} ({exc.strerror}). "
            "BUILD_DIR must be writable while building; serve it read-only afterwards"
        ) from None


def _types(config: Settings, stdout: OutputWrapper) -> None:
    from django_duet.contract.output import generated_files, write

    for path in write(generated_files(config)):
        stdout.write(f"wrote {path}")


def frontend_steps(
    config: Settings, install: bool, stdout: OutputWrapper
) -> list[tuple[str, Callable[[], object]]]:
    """install, build, record, check for one frontend (named in the step when not "default")."""
    suffix = "" if config.is_default else f" ({config.name})"
    steps: list[tuple[str, Callable[[], object]]] = []
    if install:
        steps.append(("install" + suffix, lambda: _npm(config, ["ci"])))
    if config.TYPES_DIR.is_dir():  # the project uses `duet types`: the frontend builds on them
        steps.append(("types" + suffix, lambda: _types(config, stdout)))
    steps += [
        ("build" + suffix, lambda: _npm(config, ["run", "build"], _build_env(config))),
        ("record" + suffix, lambda: stdout.write(f"build id {_record(config).build_id}")),
        ("check" + suffix, lambda: _check(config)),
    ]
    return steps


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    steps: list[tuple[str, Callable[[], object]]] = []
    try:
        frontends = chosen_frontends(options.get("frontend"))
    except DuetError as exc:
        stderr.write(f"duet build: {exc}")
        return 1
    for config in frontends:
        steps += frontend_steps(config, not options["no_install"], stdout)
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
