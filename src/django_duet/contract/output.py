"""The generated files of each frontend: what they should hold, writing them, telling staleness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django_duet.conf import Settings
from django_duet.contract.routes import collect_routes
from django_duet.contract.typescript import render_routes

ROUTES_FILE = "routes.ts"
PROPS_FILE = "props.ts"


@dataclass(frozen=True)
class Generated:
    path: Path
    text: str

    @property
    def current(self) -> bool:
        try:
            return self.path.read_text(encoding="utf-8") == self.text
        except OSError:
            return False


def routes_file(frontend: Settings) -> list[Generated]:
    routes, skipped = collect_routes()
    return [Generated(frontend.TYPES_DIR / ROUTES_FILE, render_routes(routes, skipped))]


def props_file(frontend: Settings) -> list[Generated]:
    from django_duet.contract.props import declared
    from django_duet.contract.props_typescript import render_props
    from django_duet.contract.shapes import shape_of

    components = {name: shape_of(kind, name) for name, kind in declared().items()}
    if not components:
        return []
    return [Generated(frontend.TYPES_DIR / PROPS_FILE, render_props(components))]


def api_files(frontend: Settings) -> list[Generated]:
    from django_duet.contract.api import api_texts  # api.py runs the frontend's openapi-typescript

    return [Generated(path, text) for path, text in api_texts(frontend)]


# Each part of the contract: frontend -> the files it generates there (none when the project
# has nothing of that kind).
GENERATORS: list[Callable[[Settings], list[Generated]]] = [routes_file, props_file, api_files]


def generated_files(frontend: Settings) -> list[Generated]:
    """What ``duet types`` writes for ``frontend`` (the same project for every frontend)."""
    return [file for generate in GENERATORS for file in generate(frontend)]


def write(files: list[Generated]) -> list[Path]:
    """Writes the files that changed (so a watcher sees no change when nothing did), atomically:
    a frontend dev server never reads half a file. Returns the paths written."""
    written = []
    for file in files:
        if file.current:
            continue
        file.path.parent.mkdir(parents=True, exist_ok=True)
        partial = file.path.with_name(f".{file.path.name}.partial")
        partial.write_text(file.text, encoding="utf-8")
        partial.replace(file.path)
        written.append(file.path)
    return written


def refresh_opted_in(say: Callable[[str], object]) -> list[Path]:
    """What ``duet dev`` (at each start of Django's process, so again after every autoreload)
    and ``duet build`` run: ``duet types`` for each frontend whose TYPES_DIR exists, i.e. that
    ran ``duet types`` once. A failure is said, not raised: the dev server still starts (and
    duet.W120 keeps saying the files are stale)."""
    from django_duet.conf import all_frontends

    written: list[Path] = []
    for frontend in all_frontends():
        try:
            if frontend.TYPES_DIR.is_dir():
                written += write(generated_files(frontend))
        except Exception as exc:  # a URLconf being edited, an API schema that fails
            say(f"[duet]   duet types ({frontend.name}) failed: {type(exc).__name__}: {exc}")
    for path in written:
        say(f"[duet]   duet types: wrote {path}")
    return written
