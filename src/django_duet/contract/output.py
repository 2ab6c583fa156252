"""The generated files of each frontend: what they should hold, writing them, telling staleness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
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


class Contract:
    """What the project declares (URLconf, @props, API documents), read once per command or
    check run: every frontend gets the same routes and props, and the frontends that name the
    same API document share one schema generation."""

    def __init__(self) -> None:
        self._documents: dict[tuple[str, str], str] = {}

    @cached_property
    def routes_text(self) -> str:
        routes, skipped = collect_routes()
        return render_routes(routes, skipped)

    @cached_property
    def props_text(self) -> str | None:
        from django_duet.contract.props import declared
        from django_duet.contract.props_typescript import render_props
        from django_duet.contract.shapes import shape_of

        components = {name: shape_of(kind, name) for name, kind in declared().items()}
        return render_props(components) if components else None

    def document(self, name: str, source: object) -> str:
        """The API document ``name`` as JSON text (drf-spectacular, ninja ...), made once."""
        from django_duet.contract.openapi import load_schema, schema_json

        key = (name, repr(source))
        if key not in self._documents:
            self._documents[key] = schema_json(load_schema(name, source))
        return self._documents[key]

    def files(self, frontend: Settings) -> list[Generated]:
        """What ``duet types`` writes for ``frontend``."""
        return [file for generate in GENERATORS for file in generate(frontend, self)]


def routes_file(frontend: Settings, contract: Contract) -> list[Generated]:
    return [Generated(frontend.TYPES_DIR / ROUTES_FILE, contract.routes_text)]


def props_file(frontend: Settings, contract: Contract) -> list[Generated]:
    text = contract.props_text
    return [] if text is None else [Generated(frontend.TYPES_DIR / PROPS_FILE, text)]


def api_files(frontend: Settings, contract: Contract) -> list[Generated]:
    from django_duet.contract.api import api_texts  # api.py runs the frontend's openapi-typescript

    return [Generated(path, text) for path, text in api_texts(frontend, contract.document)]


# Each part of the contract: (frontend, the project's contract) -> the files it generates there
# (none when the project has nothing of that kind).
GENERATORS: list[Callable[[Settings, Contract], list[Generated]]] = [
    routes_file,
    props_file,
    api_files,
]


def generated_files(frontend: Settings, contract: Contract | None = None) -> list[Generated]:
    """What ``duet types`` writes for ``frontend``; pass one ``Contract`` for several frontends."""
    return (contract or Contract()).files(frontend)


# The TYPES_DIRs that refresh_opted_in() just made current: duet.W120, which runserver runs
# right after in the same process, skips each once instead of generating it all again.
refreshed: set[Path] = set()


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
    contract = Contract()
    for frontend in all_frontends():
        try:
            if frontend.TYPES_DIR.is_dir():
                written += write(generated_files(frontend, contract))
                refreshed.add(frontend.TYPES_DIR)
        except Exception as exc:  # a URLconf being edited, an API schema that fails
            say(f"[duet]   duet types ({frontend.name}) failed: {type(exc).__name__}: {exc}")
    for path in written:
        say(f"[duet]   duet types: wrote {path}")
    return written
