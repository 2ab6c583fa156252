"""A manifest file -> the parsed build (``manifest.Manifest``), whichever bundler wrote it.

``vite`` (``.vite/manifest.json``), ``webpack`` (webpack-assets-manifest with ``entrypoints:
true``), ``webpack-stats`` (webpack-bundle-tracker's ``webpack-stats.json``, django-webpack-loader's
file), ``cra`` (create-react-app's ``asset-manifest.json``). ``DUET["MANIFEST_FORMAT"]``
names one, or None detects it from the file. One path for every format: the file is read (size
limit, UTF-8) and its JSON parsed here, then handed to the format's parser; every error names
the file and the format. Pure: no settings here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django_duet.build.formats.common import ManifestFile
from django_duet.build.formats.cra import parse_cra
from django_duet.build.formats.vite import parse_vite
from django_duet.build.formats.webpack import parse_webpack
from django_duet.build.formats.webpack_stats import parse_webpack_stats
from django_duet.build.manifest import Manifest, build_id_of
from django_duet.exceptions import ManifestNotFound

FORMATS = ("vite", "webpack", "webpack-stats", "cra")
KINDS = {  # for the errors
    "vite": "Vite",
    "webpack": "webpack",
    "webpack-stats": "webpack-bundle-tracker",
    "cra": "create-react-app",
}
_ANY_KIND = "Vite, webpack, webpack-bundle-tracker or create-react-app"
_PARSERS = {
    "vite": parse_vite,
    "webpack": parse_webpack,
    "webpack-stats": parse_webpack_stats,
    "cra": parse_cra,
}
# Where each bundler writes its manifest, relative to the build directory.
DEFAULT_NAMES = {
    "vite": ".vite/manifest.json",
    "webpack": "assets-manifest.json",
    "cra": "asset-manifest.json",
    "webpack-stats": "webpack-stats.json",  # where recent webpack-bundle-trackers write it
}
MAX_MANIFEST_BYTES = 32 * 1024 * 1024


def default_manifest_path(build_dir: Path, format: str | None) -> Path:
    """The format's manifest; with no format, the first that exists (Vite's if none does)."""
    if format in DEFAULT_NAMES:
        return build_dir / DEFAULT_NAMES[format]
    for name in DEFAULT_NAMES.values():
        if (build_dir / name).is_file():
            return build_dir / name
    return build_dir / DEFAULT_NAMES["vite"]


def detect(data: Any) -> str:
    """The format of a parsed manifest: its shape tells (never the file name)."""
    if isinstance(data, dict):
        # A status string: webpack-bundle-tracker's (a Vite key maps to an object, and the
        # other formats write no status). Also while compiling, when nothing else is there.
        if isinstance(data.get("status"), str):
            return "webpack-stats"
        entrypoints = data.get("entrypoints")
        if isinstance(entrypoints, list) and isinstance(data.get("files"), dict):
            return "cra"
        if isinstance(entrypoints, dict) and all(
            isinstance(v, dict) and "assets" in v for v in entrypoints.values()
        ):
            return "webpack"
    return "vite"


def _kind(path: Path, format: str | None) -> str:
    """The format's name for an error before the content tells (bad JSON, too big): the one
    named, or the one whose file this is by default."""
    if format is None:
        found = [f for f, name in DEFAULT_NAMES.items() if path.as_posix().endswith("/" + name)]
        format = found[0] if found else None
    return KINDS.get(format or "", _ANY_KIND)


def read_manifest(path: Path, format: str | None = "vite") -> Manifest:
    """The manifest at ``path``, in ``format`` (one of ``FORMATS``; None: detected)."""
    source = ManifestFile(path, _kind(path, format))
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise source.invalid(f"{size} bytes, over the {MAX_MANIFEST_BYTES} bytes limit")
        content = path.read_bytes()  # bytes: the build id is theirs, whatever the line ends
    except FileNotFoundError:
        raise ManifestNotFound(path) from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise source.invalid(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return parse_manifest(path, text, format)


def parse_manifest(path: Path, text: str, format: str | None = "vite") -> Manifest:
    """The manifest whose JSON text is ``text`` (``path`` names it in errors)."""
    source = ManifestFile(path, _kind(path, format))
    if format is not None and format not in FORMATS:
        raise source.invalid(
            f"DUET['MANIFEST_FORMAT'] is {format!r}: write one of {FORMATS} or None"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise source.invalid(
            f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise source.invalid("JSON nested too deeply") from None
    found = detect(data)
    # "vite" is also what a file of no known shape is detected as: the named format's parser
    # then says what its file lacks.
    if format is not None and found != format and found != "vite":
        raise source.invalid(
            f"DUET['MANIFEST_FORMAT'] is {format!r}, but the file is a {KINDS[found]} "
            f"manifest: write {found!r}, or None to detect the format"
        )
    chosen = format or found
    parse = _PARSERS[chosen]
    return parse(ManifestFile(path, KINDS[chosen]), data, build_id_of(text.encode()))
