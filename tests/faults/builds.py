"""Scratch frontend builds for the fault tests: each one a manifest and its own hashed files.

Build ``n`` names every file with ``n`` in its hash (``assets/main-b0000007.js``), so a page
tells which build each URL came from. ``publish`` swaps the manifest in by atomic rename
after writing the files, as a deploy does; older files stay (a stale page never 404s).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

ENTRIES = ("src/main.tsx", "src/admin.tsx")
PAGE = '{% load duet %}<head>{% duet_entry "src/main.tsx" %}</head>{% duet_entry "src/admin.tsx" %}'
_TAG = re.compile(r"b(\d{7})\.(?:js|css)")
_URL = re.compile(r'(?:src|href)="([^"]+)"')
_META = re.compile(r'<meta name="duet-build" content="([0-9a-f]+)">')


def manifest_of(n: int) -> dict[str, dict[str, object]]:
    tag = f"b{n:07d}"
    return {
        "src/main.tsx": {
            "file": f"assets/main-{tag}.js",
            "src": "src/main.tsx",
            "isEntry": True,
            "imports": ["_shared.js", "_vendor.js"],
            "css": [f"assets/main-{tag}.css"],
        },
        "src/admin.tsx": {
            "file": f"assets/admin-{tag}.js",
            "src": "src/admin.tsx",
            "isEntry": True,
            "imports": ["_shared.js"],
        },
        "_shared.js": {"file": f"assets/shared-{tag}.js", "css": [f"assets/shared-{tag}.css"]},
        "_vendor.js": {"file": f"assets/vendor-{tag}.js", "imports": ["_shared.js"]},
    }


def files_of(n: int) -> list[str]:
    found: list[str] = []
    for chunk in manifest_of(n).values():
        found.append(str(chunk["file"]))
        found += list(chunk.get("css", []))  # type: ignore[call-overload]
    return found


def publish(build_dir: Path, n: int) -> str:
    """Writes build ``n``'s files, then renames its manifest into place; returns its text."""
    (build_dir / "assets").mkdir(parents=True, exist_ok=True)
    (build_dir / ".vite").mkdir(exist_ok=True)
    for name in files_of(n):
        path = build_dir / name
        if not path.exists():
            path.write_text(f"/* build {n} {name} */\n" * 8)
    text = manifest_text(n)
    temp = build_dir / ".vite" / f"manifest.{n}.tmp"
    temp.write_text(text)
    os.replace(temp, build_dir / ".vite" / "manifest.json")
    return text


def manifest_text(n: int) -> str:
    return json.dumps(manifest_of(n), indent=1)


def builds_in(html: str) -> set[int]:
    """The build numbers of every build file a page names."""
    return {int(n) for n in _TAG.findall(html)}


def asset_urls(html: str) -> list[str]:
    return _URL.findall(html)


def build_meta(html: str) -> str | None:
    found = _META.search(html)
    return found.group(1) if found else None
