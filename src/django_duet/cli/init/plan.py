"""Plan every change first, write only when nothing conflicts: a refusal changes nothing."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django_duet import __version__
from django_duet.cli.init import files, sources
from django_duet.cli.init.project import InitError, Project, find_project, parse

_DEFAULT_SPEC = f"^{__version__}"

Action = Literal["create", "append", "update", "unchanged", "kept", "conflict"]


@dataclass(frozen=True)
class Change:
    path: Path
    action: Action
    content: str = ""  # what to write (create) or to add (append)
    why: str = ""

    def describe(self, root: Path) -> str:
        rel = os.path.relpath(self.path, root)
        return {
            "create": f"created   {rel}",
            "append": f"appended  {rel}: {self.why}",
            "update": f"updated   {rel}: {self.why}",
            "unchanged": f"unchanged {rel}",
            "kept": f"kept      {rel} ({self.why})",
            "conflict": f"refused   {rel}: {self.why}",
        }[self.action]


def _npm_name(root: Path) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", root.resolve().name.lower()).strip("-") or "django"
    return f"{name}-frontend"


def generated_files(project: Project, frontend: str) -> dict[Path, str]:
    """Every file init writes but package.json (``_package_change``)."""
    fe = project.root / frontend
    templates = project.root / "templates" / "duet"
    return {
        fe / "vite.config.ts": files.VITE_CONFIG,
        fe / "tsconfig.json": files.TSCONFIG,
        fe / ".gitignore": files.GITIGNORE,
        fe / "index.html": sources.INDEX_HTML,
        fe / "src" / "islands.tsx": sources.ISLANDS_TSX,
        fe / "src" / "islands" / "Hello.tsx": sources.HELLO_TSX,
        fe / "src" / "main.tsx": sources.MAIN_TSX,
        fe / "src" / "App.tsx": sources.APP_TSX,
        fe / "src" / "App.css": sources.APP_CSS,
        templates / "base.html": files.BASE_HTML,
        templates / "home.html": files.HOME_HTML,
    }


def _file_change(path: Path, content: str) -> Change:
    if not path.exists():
        return Change(path, "create", content)
    if not path.is_file():
        return Change(path, "conflict", why="exists and is not a file")
    current = path.read_text(encoding="utf-8", errors="replace")
    if current == content:
        return Change(path, "unchanged")
    if files.MARKER in current:
        return Change(path, "kept", why="written by init, edited since: left as it is")
    return Change(path, "conflict", why="exists and was not written by init; move it away")


def _package_change(path: Path, name: str, js_package: str | None) -> Change:
    """package.json: ``--js-package`` applies to init's own file on a later run too (npm cannot
    install the default spec before the package is published), edited or not; without it, the
    spec the file holds is kept, so a file written with an earlier ``--js-package`` is still
    init's own, unedited."""
    spec = _django_duet_spec(path) if path.is_file() else None
    if spec is None or js_package is None or js_package == spec:
        return _file_change(path, files.package_json(name, js_package or spec or _DEFAULT_SPEC))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["devDependencies"]["django-duet"] = js_package
    return Change(
        path,
        "update",
        json.dumps(data, indent=2) + "\n",  # npm's own formatting of package.json
        why=f'devDependencies "django-duet": {spec!r} -> {js_package!r}',
    )


def _django_duet_spec(path: Path) -> str | None:
    """The django-duet spec of a package.json init wrote (None: not init's, or not readable)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if files.MARKER not in text:
        return None
    try:
        spec = json.loads(text)["devDependencies"]["django-duet"]
    except (ValueError, KeyError, TypeError):
        return None
    return spec if isinstance(spec, str) else None


def _block_change(path: Path, block: str, what: str) -> Change:
    current = path.read_text(encoding="utf-8")
    if files.BLOCK_START in current:
        return Change(path, "unchanged")
    joined = current if current.endswith("\n") or not current else current + "\n"
    parse(path, joined + block)  # never leave a module that does not import
    return Change(path, "append", block, why=what)


def plan(
    root: Path,
    *,
    settings_module: str | None = None,
    frontend: str = "frontend",
    js_package: str | None = None,
) -> tuple[Project, list[Change]]:
    if Path(frontend).is_absolute() or ".." in Path(frontend).parts:
        raise InitError(f"--frontend {frontend!r} must be a folder inside the project.")
    project = find_project(root.resolve(), settings_module)
    package = project.root / frontend / "package.json"
    changes = [_package_change(package, _npm_name(project.root), js_package)]
    changes += [
        _file_change(path, content) for path, content in generated_files(project, frontend).items()
    ]
    depth = len(project.settings_file.relative_to(project.root).parts) - 1
    changes.append(
        _block_change(
            project.settings_file,
            files.settings_block(depth, frontend),
            "INSTALLED_APPS, MIDDLEWARE, STATICFILES_DIRS, STORAGES, TEMPLATES, DUET",
        )
    )
    changes.append(
        _block_change(project.urls_file, files.URLS_BLOCK, "api/auth/, app/ (client_routes), ''")
    )
    return project, changes


def apply(changes: list[Change]) -> list[Change]:
    """Writes the changes; refuses (raising, having written nothing) on any conflict."""
    conflicts = [c for c in changes if c.action == "conflict"]
    if conflicts:
        raise InitError(
            "Nothing was changed, because init would overwrite files it did not write:\n  "
            + "\n  ".join(f"{c.path}: {c.why}" for c in conflicts)
        )
    for change in changes:
        if change.action in ("create", "update"):
            change.path.parent.mkdir(parents=True, exist_ok=True)
            change.path.write_text(change.content, encoding="utf-8")
        elif change.action == "append":
            current = change.path.read_text(encoding="utf-8")
            sep = "" if current.endswith("\n") or not current else "\n"
            change.path.write_text(current + sep + change.content, encoding="utf-8")
    return changes


__all__ = ["Change", "InitError", "apply", "plan"]
