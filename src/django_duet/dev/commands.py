"""``DUET["DEV_COMMANDS"]``: the project's other development processes (a Tailwind watch, a type
generator), which ``duet dev`` starts beside Vite and Django, supervises and stops with them.

Each entry is ``name: command``, the command a string (split as a shell would, but run without
one), a list of arguments, or ``{"command": ..., "cwd": ...}``; ``cwd`` defaults to the
directory ``duet dev`` runs in, and a relative one is taken from there. See docs/development.md.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from django_duet.conf import conf
from django_duet.exceptions import DuetError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
RESERVED = frozenset({"django", "duet", "vite"})  # duet dev's own prefixes


@dataclass(frozen=True)
class DevCommand:
    name: str
    argv: tuple[str, ...]
    cwd: Path


class DevCommandError(DuetError):
    """An entry of DEV_COMMANDS that cannot be run: the message says which and why."""


def dev_commands(base: Path | None = None) -> list[DevCommand]:
    """Every entry of DEV_COMMANDS, in order; the first unusable one raises DevCommandError."""
    here = base if base is not None else Path.cwd()
    return [_parse(name, value, here) for name, value in conf.DEV_COMMANDS.items()]


def _parse(name: object, value: Any, base: Path) -> DevCommand:
    where = f"DUET['DEV_COMMANDS'][{name!r}]"
    if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED:
        raise DevCommandError(
            f"{where}: a name is 1 to 32 letters, digits, '.', '_' or '-' (it prefixes the "
            f"command's output), and not one of {', '.join(sorted(RESERVED))}."
        )
    cwd: Any = None
    command = value
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"command", "cwd"})
        if unknown:
            raise DevCommandError(f"{where} has unknown keys {unknown}: write command and cwd.")
        command, cwd = value.get("command"), value.get("cwd")
    argv = _argv(command, where)
    if cwd is not None and not isinstance(cwd, (str, os.PathLike)):
        raise DevCommandError(f"{where}['cwd'] is {cwd!r}: write a directory.")
    return DevCommand(name, argv, base / cwd if cwd is not None else base)


def _argv(command: Any, where: str) -> tuple[str, ...]:
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:  # an unclosed quote
            raise DevCommandError(f"{where} cannot be split into arguments ({exc}).") from None
    elif isinstance(command, (list, tuple)) and all(
        isinstance(a, (str, os.PathLike)) for a in command
    ):
        argv = [os.fspath(a) for a in command]
    else:
        raise DevCommandError(
            f"{where} is {command!r}: write a command, e.g. 'npx tailwindcss -i src/app.css "
            "-o static/app.css --watch', or a list of its arguments."
        )
    if not argv or not argv[0]:
        raise DevCommandError(f"{where} is empty: write the command to run, or remove it.")
    return tuple(argv)


def check_dev_commands(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E032: DEV_COMMANDS is not a mapping of names to commands."""
    raw = conf.raw("DEV_COMMANDS")
    hint = (
        "Write DUET['DEV_COMMANDS'] = {'tailwind': 'npx tailwindcss -i src/app.css -o "
        "static/app.css --watch'} (docs/development.md)."
    )
    problems: list[str] = []
    if raw is not None and not isinstance(raw, dict):
        problems.append(f"DUET['DEV_COMMANDS'] is {raw!r}: it must be a dict.")
    for name, value in (raw if isinstance(raw, dict) else {}).items():
        try:
            _parse(name, value, Path.cwd())
        except DevCommandError as exc:
            problems.append(str(exc))
    return [Error(problem, hint=hint, id="duet.E032") for problem in problems]
