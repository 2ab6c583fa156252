"""tsc on a usage file beside generated modules: what a frontend's type check would say."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "js" / "node_modules" / ".bin" / "tsc"
TYPESCRIPT = ROOT / "js" / "node_modules" / "typescript"
OPTIONS = ("--noEmit", "--strict", "--target", "es2020", "--lib", "es2020,dom")
MODULES = ("--module", "esnext", "--moduleResolution", "bundler")


def tsc(usage_file: Path, source: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Writes ``source`` to ``usage_file`` and type-checks it strictly (exit status, stdout)."""
    usage_file.write_text(source)
    return subprocess.run(
        [str(TSC), *OPTIONS, *MODULES, *options, str(usage_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
