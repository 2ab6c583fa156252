"""``duet types``: the typed contract for the frontend (routes today), or ``--check`` for CI."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import OutputWrapper

from django_duet.cli.check_build import UnknownFrontend, chosen_frontends
from django_duet.contract.output import Contract, generated_files, write
from django_duet.exceptions import DuetError

HELP = "Write the TypeScript module of Django's URL names for each frontend (docs/types.md)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a generated file is missing or stale (for CI)",
    )
    parser.add_argument(
        "--frontend",
        action="append",
        metavar="NAME",
        help="only this frontend of DUET['FRONTENDS'] (repeatable; default: all)",
    )


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    try:
        frontends = chosen_frontends(options.get("frontend"))
    except UnknownFrontend as exc:
        stderr.write(str(exc))
        return 2
    try:
        contract = Contract()  # the project read once for all frontends
        files = [file for frontend in frontends for file in generated_files(frontend, contract)]
    except DuetError as exc:  # e.g. openapi-typescript not installed: says what to run
        stderr.write(str(exc))
        return 1
    if options.get("check"):
        stale = [file for file in files if not file.current]
        for file in stale:
            stderr.write(f"stale: {file.path} (run `python manage.py duet types`)")
        if not stale:
            stdout.write(f"up to date: {len(files)} file(s)")
        return 1 if stale else 0
    written = write(files)
    for path in written:
        stdout.write(f"wrote {path}")
    if not written:
        stdout.write(f"up to date: {len(files)} file(s)")
    return 0
