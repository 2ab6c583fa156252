"""Plan every change first, write only when nothing conflicts: a refusal changes nothing."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django_duet import __version__
from django_duet.cli.init import blocks, files, frameworks, markers
from django_duet.cli.init.frameworks import Framework
from django_duet.cli.init.project import InitError, Project, find_project, parse

_DEFAULT_SPEC = f"^{__version__}"

Others = dict[str, Framework]  # a file's text -> the framework init writes it for
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


def generated_files(project: Project, frontend: str, framework: Framework) -> dict[Path, str]:
    """Every file init writes but package.json (``_package_change``)."""
    fe = project.root / frontend
    templates = project.root / "templates" / "duet"
    return {
        fe / "vite.config.ts": files.vite_config(framework),
        fe / "tsconfig.json": files.tsconfig(framework),
        fe / ".gitignore": files.GITIGNORE,
        fe / "index.html": files.index_html(framework),
        **{fe / path: text for path, text in framework.sources.items()},
        fe / "src" / "App.css": files.APP_CSS,
        templates / "base.html": files.base_html(framework),
        templates / "home.html": files.home_html(framework),
    }


def _file_change(
    path: Path, content: str, framework: Framework | None = None, others: Others | None = None
) -> Change:
    """``others``: what init writes at this path for the other frameworks, so that a file it
    wrote for one of them is refused, not kept (a Vue entry in React's base template)."""
    if not path.exists():
        return Change(path, "create", content)
    if not path.is_file():
        return Change(path, "conflict", why="exists and is not a file")
    current = path.read_text(encoding="utf-8", errors="replace")
    if current == content:
        return Change(path, "unchanged")
    if framework is not None and (other := (others or {}).get(current)) is not None:
        return Change(path, "conflict", why=_switch_why(other, framework))
    if markers.MARKER in current:
        return Change(path, "kept", why="written by init, edited since: left as it is")
    return Change(path, "conflict", why="exists and was not written by init; move it away")


def _switch_why(written: Framework, asked: Framework) -> str:
    return (
        f"init wrote it for {written.label}, not {asked.label}: run init with --framework "
        f"{written.name}, or delete init's {written.label} files (the frontend folder, "
        "templates/duet/) to start again with another framework"
    )


def _package_change(path: Path, framework: Framework, name: str, js_package: str | None) -> Change:
    """package.json: ``--js-package`` applies to init's own file on a later run too (npm cannot
    install the default spec before the package is published), edited or not; without it, the
    spec the file holds is kept, so a file written with an earlier ``--js-package`` is still
    init's own, unedited."""
    data = _init_package(path) if path.is_file() else None
    if data is not None and (other := _other_framework(data, framework)) is not None:
        return Change(path, "conflict", why=_switch_why(other, framework))
    spec = _django_duet_spec(data)
    if data is None or spec is None or js_package is None or js_package == spec:
        content = files.package_json(framework, name, js_package or spec or _DEFAULT_SPEC)
        return _file_change(path, content)
    data["devDependencies"]["django-duet"] = js_package
    return Change(
        path,
        "update",
        json.dumps(data, indent=2) + "\n",  # npm's own formatting of package.json
        why=f'devDependencies "django-duet": {spec!r} -> {js_package!r}',
    )


def _init_package(path: Path) -> dict[str, Any] | None:
    """A package.json init wrote, parsed (None: not init's, or not readable)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if markers.MARKER not in text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _other_framework(data: dict[str, Any], framework: Framework) -> Framework | None:
    """The framework of init's package.json when it is another one than ``framework``."""
    packages = {
        *_names(data.get("dependencies")),
        *_names(data.get("devDependencies")),
    }
    if framework.package in packages:
        return None
    for other in frameworks.FRAMEWORKS.values():
        if other.package in packages:
            return other
    return None


def _names(section: object) -> list[str]:
    return list(section) if isinstance(section, dict) else []


def _django_duet_spec(data: dict[str, Any] | None) -> str | None:
    """The django-duet spec of a package.json init wrote (None: none there)."""
    try:
        spec = data["devDependencies"]["django-duet"] if data is not None else None
    except (KeyError, TypeError):
        return None
    return spec if isinstance(spec, str) else None


def _block_change(path: Path, block: str, what: str) -> Change:
    current = path.read_text(encoding="utf-8")
    if markers.BLOCK_START in current:
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
    framework: str = frameworks.DEFAULT,
) -> tuple[Project, list[Change]]:
    chosen = frameworks.get(framework)
    if Path(frontend).is_absolute() or ".." in Path(frontend).parts:
        raise InitError(f"--frontend {frontend!r} must be a folder inside the project.")
    project = find_project(root.resolve(), settings_module)
    package = project.root / frontend / "package.json"
    changes = [_package_change(package, chosen, _npm_name(project.root), js_package)]
    others: dict[Path, Others] = {}
    for other in frameworks.FRAMEWORKS.values():
        if other is not chosen:
            for path, content in generated_files(project, frontend, other).items():
                others.setdefault(path, {})[content] = other
    changes += [
        _file_change(path, content, chosen, others.get(path))
        for path, content in generated_files(project, frontend, chosen).items()
    ]
    depth = len(project.settings_file.relative_to(project.root).parts) - 1
    changes.append(
        _block_change(
            project.settings_file,
            blocks.settings_block(depth, frontend),
            "INSTALLED_APPS, MIDDLEWARE, STATICFILES_DIRS, STORAGES, TEMPLATES, DUET",
        )
    )
    changes.append(
        _block_change(
            project.urls_file, blocks.urls_block(chosen), "api/auth/, app/ (client_routes), ''"
        )
    )
    return project, changes


def apply(changes: list[Change]) -> list[Change]:
    """Writes the changes; refuses (raising, having written nothing) on any conflict."""
    conflicts = [c for c in changes if c.action == "conflict"]
    if conflicts:
        raise InitError(
            "Nothing was changed, because init refuses to write these files:\n  "
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
