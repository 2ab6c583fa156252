"""``duet check-build``: the checks of ``duet build`` alone, for a build made elsewhere (CI)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import OutputWrapper

from django_duet.build.loader import clear_cache, get_manifest
from django_duet.build.record import read_record, verify
from django_duet.conf import Settings, all_frontends, conf
from django_duet.exceptions import DuetError

HELP = "Check that the frontend build is complete and unchanged, and was collected."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-static-root", action="store_true", help="do not check STATIC_ROOT (not collected)"
    )
    parser.add_argument(
        "--frontend",
        action="append",
        metavar="NAME",
        help="check only this frontend of DUET['FRONTENDS'] (repeatable; default: all)",
    )


class UnknownFrontend(DuetError):
    pass


def chosen_frontends(names: list[str] | None) -> list[Settings]:
    """The frontends ``--frontend`` names (all of them without the option)."""
    try:
        return [conf.frontend(name) for name in names] if names else all_frontends()
    except ImproperlyConfigured as exc:
        raise UnknownFrontend(str(exc)) from None


def problems_of_build(config: Settings = conf, check_static_root: bool = False) -> list[str]:
    try:
        manifest = get_manifest(None, config)
        problems = verify(config.BUILD_DIR, manifest)
    except (DuetError, ValueError) as exc:
        return [str(exc)]
    if check_static_root and settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT)
        problems += [
            f"{name!r} is not in STATIC_ROOT ({root}): run collectstatic"
            for name in sorted(manifest.files())
            if not (root / (config.STATIC_PREFIX + name)).is_file()
        ]
    return problems


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    clear_cache()  # always judge the files on disk now
    try:
        frontends = chosen_frontends(options.get("frontend"))
    except DuetError as exc:
        stderr.write(str(exc))
        return 1
    status = 0
    for config in frontends:
        which = "" if config.is_default else f" of the frontend {config.name!r}"
        check_root = not options.get("no_static_root", False)
        problems = problems_of_build(config, check_static_root=check_root)
        if problems:
            stderr.write(f"The build{which} is not deployable:\n  " + "\n  ".join(problems))
            status = 1
            continue
        record = read_record(config.BUILD_DIR)
        detail = f"build id {record.build_id}" if record else "no record: hashes not checked"
        stdout.write(f"The build{which} at {config.BUILD_DIR} is complete ({detail}).")
    return status
