"""``duet check-build``: the checks of ``duet build`` alone, for a build made elsewhere (CI)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import OutputWrapper

from ..buildinfo import read_record, verify
from ..conf import conf
from ..exceptions import DuetError
from ..loader import clear_cache, get_manifest

HELP = "Check that the frontend build is complete and unchanged, and was collected."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-static-root", action="store_true", help="do not check STATIC_ROOT (not collected)"
    )


def problems_of_build(check_static_root: bool = False) -> list[str]:
    try:
        manifest = get_manifest()
        problems = verify(conf.BUILD_DIR, manifest)
    except (DuetError, ValueError) as exc:
        return [str(exc)]
    if check_static_root and settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT)
        problems += [
            f"{name!r} is not in STATIC_ROOT ({root}): run collectstatic"
            for name in sorted(manifest.files())
            if not (root / (conf.STATIC_PREFIX + name)).is_file()
        ]
    return problems


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    clear_cache()  # always judge the files on disk now
    problems = problems_of_build(check_static_root=not options.get("no_static_root", False))
    if problems:
        stderr.write("The build is not deployable:\n  " + "\n  ".join(problems))
        return 1
    record = read_record(conf.BUILD_DIR)
    detail = f"build id {record.build_id}" if record else "no record: hashes not checked"
    stdout.write(f"The build at {conf.BUILD_DIR} is complete ({detail}).")
    return 0
