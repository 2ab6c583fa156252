"""Manifests of other bundlers, converted to the one model the tags read (``manifest.Manifest``).

``vite`` (``.vite/manifest.json``), ``webpack`` (webpack-assets-manifest with ``entrypoints:
true``), ``cra`` (create-react-app's ``asset-manifest.json``). ``DUET["MANIFEST_FORMAT"]``
names one, or None detects it from the file. Pure: no settings here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django_duet.build import manifest as vite
from django_duet.build.manifest import Manifest
from django_duet.exceptions import ManifestInvalid

FORMATS = ("vite", "webpack", "cra")
# Where each bundler writes its manifest, relative to the build directory.
DEFAULT_NAMES = {
    "vite": ".vite/manifest.json",
    "webpack": "assets-manifest.json",
    "cra": "asset-manifest.json",
}


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
        entrypoints = data.get("entrypoints")
        if isinstance(entrypoints, list) and isinstance(data.get("files"), dict):
            return "cra"
        if isinstance(entrypoints, dict) and all(
            isinstance(v, dict) and "assets" in v for v in entrypoints.values()
        ):
            return "webpack"
    return "vite"


def load_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestInvalid(
            path, f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ManifestInvalid(path, "JSON nested too deeply") from None


def build_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]  # as the Vite parser's


def parse_any(path: Path, text: str, format: str | None) -> Manifest:
    if format is not None and format not in FORMATS:
        raise ManifestInvalid(
            path, f"DUET['MANIFEST_FORMAT'] is {format!r}: write one of {FORMATS} or None"
        )
    if format == "vite":
        return vite.parse_manifest(path, text)
    data = load_json(path, text)
    found = detect(data)
    if format is not None and found != format and found != "vite":
        raise ManifestInvalid(
            path, f"DUET['MANIFEST_FORMAT'] is {format!r}, but the file is a {found} manifest"
        )
    chosen = format or found
    if chosen == "webpack":
        from django_duet.build.formats.webpack import parse_webpack

        return parse_webpack(path, data, build_id(text))
    if chosen == "cra":
        from django_duet.build.formats.cra import parse_cra

        return parse_cra(path, data, build_id(text))
    return vite.parse_manifest(path, text)
