"""One base exception; each subclass says what happened, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class DuetError(Exception):
    """Base of every error django-duet raises on purpose."""


class ManifestNotFound(DuetError):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"No frontend build: the manifest {path} does not exist. Build the frontend "
            "(`npm run build` in the frontend folder, or `python manage.py duet build`), "
            'or point DUET["MANIFEST_PATH"] / DUET["BUILD_DIR"] at the build.'
        )


class ManifestInvalid(DuetError):
    def __init__(self, path: Path, problem: str, kind: str = "Vite") -> None:
        self.path = path
        self.problem = problem
        self.kind = kind  # the format's name: "Vite", "webpack", "create-react-app"
        super().__init__(
            f"The manifest {path} is not a valid {kind} manifest: {problem}. Rebuild the "
            "frontend; if it persists, the file was written by another tool or truncated."
        )


class UnsafeManifestPath(ManifestInvalid):
    def __init__(self, path: Path, key: str, value: str, kind: str = "Vite") -> None:
        self.key = key
        self.value = value
        super().__init__(
            path,
            f"entry {key!r} names the file {value!r}, which is outside the build directory "
            "(absolute, a URL, or containing '..'); it is refused",
            kind,
        )


class EntryNotFound(DuetError):
    def __init__(self, name: str, path: Path, known: list[str]) -> None:
        self.name = name
        self.known = known
        listing = ", ".join(repr(k) for k in known[:12]) or "none"
        more = f" (and {len(known) - 12} more)" if len(known) > 12 else ""
        super().__init__(
            f"{name!r} is not in the manifest {path}. Entries there, nearest first: "
            f"{listing}{more}. Declare it in the `input` of the duet() Vite plugin and rebuild, "
            "or fix the name (a path relative to the Vite root, e.g. 'src/main.tsx')."
        )


class BuildFileNotFound(DuetError):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"No frontend build: {path} does not exist. Build the frontend (`python manage.py "
            "duet build`, or `npm run build` in the frontend folder) and reload."
        )
