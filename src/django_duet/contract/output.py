"""The generated files of each frontend: what they should hold, writing them, telling staleness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django_duet.conf import Settings
from django_duet.contract.routes import collect_routes
from django_duet.contract.typescript import render_routes

ROUTES_FILE = "routes.ts"


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


# Each part of the contract: frontend -> the files it generates there (none when the project
# has nothing of that kind).
GENERATORS: list[Callable[[Settings], list[Generated]]] = [routes_file]


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
