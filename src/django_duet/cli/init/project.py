"""Finding the project's pieces: manage.py, the settings module, the root URLconf."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django_duet.exceptions import DuetError

_SETTINGS_DEFAULT = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w.]*)["']""")


class InitError(DuetError):
    """Something init cannot do safely; the message says what to change."""


@dataclass(frozen=True)
class Project:
    root: Path  # the folder holding manage.py
    settings_file: Path
    urls_file: Path


def module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def find_project(root: Path, settings_module: str | None = None) -> Project:
    manage = root / "manage.py"
    if settings_module is None:
        if not manage.is_file():
            raise InitError(
                f"No manage.py in {root}: run init from the project's folder, or pass --dir "
                "(and --settings if manage.py does not name the settings module)."
            )
        found = _SETTINGS_DEFAULT.search(manage.read_text(encoding="utf-8"))
        if found is None:
            raise InitError(f"{manage} does not name DJANGO_SETTINGS_MODULE: pass --settings.")
        settings_module = found.group(1)
    settings_file = module_file(root, settings_module)
    if settings_file is None:
        raise InitError(f"No file for the settings module {settings_module!r} under {root}.")
    urlconf = root_urlconf(settings_file)
    urls_file = module_file(root, urlconf)
    if urls_file is None:
        raise InitError(f"No file for ROOT_URLCONF = {urlconf!r} under {root}.")
    return Project(root=root, settings_file=settings_file, urls_file=urls_file)


def root_urlconf(settings_file: Path) -> str:
    tree = parse(settings_file)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "ROOT_URLCONF" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise InitError(
        f"{settings_file} has no ROOT_URLCONF = '...' string: init edits the URLconf it names."
    )


def parse(path: Path, text: str | None = None) -> ast.Module:
    source = path.read_text(encoding="utf-8") if text is None else text
    try:
        return ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise InitError(
            f"{path} does not parse ({exc.msg}, line {exc.lineno}): fix it first."
        ) from None
