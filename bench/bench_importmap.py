"""What a deploy leaves in browser caches, with and without Vite 8's ``build.chunkImportMap``.

The example's frontend (a scratch copy, sharing its node_modules) is built, one source line is
changed, and it is built again: the JavaScript and CSS files whose name is new are what every
returning browser fetches again. Measured for a change in a lazy island (``Stock.tsx``) and in
a component shared by both entries (``Badge.tsx``, its own chunk with React). The import map
itself is inlined in the page by ``{% duet_entry %}``: it is not a file the browser fetches.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "example" / "frontend"
CHANGES = {  # a source file, the text replaced, its replacement
    "lazy island": ("src/islands/Stock.tsx", "left", "remaining"),
    "shared component": ("src/components/Badge.tsx", 'className="badge"', 'className="b2"'),
}
CONFIG = """\
import react from "@vitejs/plugin-react";
import {{ defineConfig }} from "vite";
export default defineConfig({{
  base: "/static/",
  plugins: [react()],
  build: {{
    manifest: true,
    chunkImportMap: {import_map},
    outDir: process.env.OUT_DIR,
    emptyOutDir: true,
    rollupOptions: {{ input: ["src/island.tsx", "index.html"] }},
  }},
}});
"""


def assets(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (folder / "assets").iterdir() if p.is_file()}


def build(copy: Path, out: Path) -> dict[str, int]:
    subprocess.run(
        ["node_modules/.bin/vite", "build"],
        cwd=copy,
        env={**_env(), "OUT_DIR": str(out)},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return assets(out)


def _env() -> dict[str, str]:
    return dict(os.environ)


def measure(import_map: bool, change: tuple[str, str, str], scratch: Path) -> dict[str, Any]:
    copy = scratch / f"frontend-{import_map}"
    if not copy.exists():
        shutil.copytree(FRONTEND / "src", copy / "src")
        for name in ("index.html", "package.json", "tsconfig.json"):
            shutil.copy(FRONTEND / name, copy / name)
        shutil.copytree(FRONTEND / "public", copy / "public")
        (copy / "node_modules").symlink_to(FRONTEND / "node_modules")
        (copy / "vite.config.ts").write_text(CONFIG.format(import_map=str(import_map).lower()))
    source, old, new = change
    path = copy / source
    original = path.read_text()
    assert old in original, (source, old)
    out = scratch / f"out-{import_map}-{path.stem}"
    before = build(copy, out / "before")
    path.write_text(original.replace(old, new, 1))
    try:
        after = build(copy, out / "after")
    finally:
        path.write_text(original)
    refetched = {name: size for name, size in after.items() if name not in before}
    return {
        "files": len(after),
        "refetched_files": sorted(refetched),
        "refetched_count": len(refetched),
        "refetched_bytes": sum(refetched.values()),
        "build_bytes": sum(after.values()),
    }


def run(quick: bool) -> dict[str, dict[str, Any]]:
    if not (FRONTEND / "node_modules" / ".bin" / "vite").exists():
        return {
            "import_map_cache": {"skipped": "no example/frontend/node_modules (make node-deps)"}
        }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="duet-importmap-") as tmp:
        for label, change in CHANGES.items():
            without = measure(False, change, Path(tmp))
            with_map = measure(True, change, Path(tmp))
            results[label] = {
                "change": change[0],
                "without_map": without,
                "with_map": with_map,
                "bytes_ratio": round(
                    with_map["refetched_bytes"] / max(without["refetched_bytes"], 1), 3
                ),
            }
    return {"import_map_cache": results}


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True), indent=2))
