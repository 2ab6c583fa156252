"""What every format's parser shares: errors that name the file and the format, and file names
checked to stay plain paths inside the build directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django_duet.build.manifest import EntryAssets
from django_duet.exceptions import ManifestInvalid, UnsafeManifestPath

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class ManifestFile:
    """The manifest being parsed: its path and its format's name (for the errors)."""

    path: Path
    kind: str  # "Vite", "webpack", "create-react-app"

    def invalid(self, problem: str) -> ManifestInvalid:
        return ManifestInvalid(self.path, problem, self.kind)

    def safe(self, where: str, value: str, strip: str = "") -> str:
        """``value`` (less the prefix ``strip``), refused if it could point outside the build
        directory or off-site."""
        if strip and value.startswith(strip):
            value = value[len(strip) :]
        if (
            value.startswith(("/", "\\"))
            or "\\" in value
            or "\x00" in value
            or _SCHEME.match(value)
            or any(p in ("..", ".", "") for p in value.split("/"))
            or any(ord(ch) < 0x20 for ch in value)
        ):
            raise UnsafeManifestPath(self.path, where, value, self.kind)
        return value

    def strings(self, where: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.invalid(f"{where} must be a list of strings")
        return value

    def files(self, where: str, value: Any) -> list[str]:
        return [self.safe(where, v) for v in self.strings(where, value)]


def split_assets(files: list[str]) -> EntryAssets:
    """Classic scripts in the bundler's order, stylesheets likewise; nothing else is loaded."""
    scripts = tuple(f for f in files if f.endswith((".js", ".mjs")))
    styles = tuple(f for f in files if f.endswith(".css"))
    return EntryAssets(script=None, preloads=(), styles=styles, scripts=scripts)
