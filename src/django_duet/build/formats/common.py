"""Checks shared by the format parsers: every file a plain path inside the build directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_duet.build.manifest import EntryAssets, _safe
from django_duet.exceptions import ManifestInvalid


def file_list(path: Path, where: str, value: Any, strip: str = "") -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestInvalid(path, f"{where} must be a list of strings")
    return [safe_file(path, where, v, strip) for v in value]


def safe_file(path: Path, where: str, value: str, strip: str = "") -> str:
    if strip and value.startswith(strip):
        value = value[len(strip) :]
    return _safe(path, where, value)


def split_assets(files: list[str]) -> EntryAssets:
    """Classic scripts in the bundler's order, stylesheets likewise; nothing else is loaded."""
    scripts = tuple(f for f in files if f.endswith((".js", ".mjs")))
    styles = tuple(f for f in files if f.endswith(".css"))
    return EntryAssets(script=None, preloads=(), styles=styles, scripts=scripts)
