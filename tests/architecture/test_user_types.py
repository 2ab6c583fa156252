"""What the docs tell users to write type-checks in *their* project: every ``# asgi.py`` block of
the docs and the example's ``asgi.py``, under ``mypy --strict`` with django-stubs (whose
``ASGIHandler`` takes a ``dict`` scope and ``Mapping`` messages, narrower than our ASGI types)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n(# asgi\.py\n.*?)```", re.S)


def documented_asgi_files() -> list[tuple[str, str]]:
    found = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for number, block in enumerate(BLOCK.findall(doc.read_text()), 1):
            found.append((f"{doc.stem}_{number}", block))
    return found


def test_the_documented_asgi_files_pass_mypy_strict(tmp_path: Path) -> None:
    blocks = documented_asgi_files()
    assert {name.split("_")[0] for name, _ in blocks} >= {"development", "performance"}
    files = [ROOT / "example" / "example" / "asgi.py"]
    for name, block in blocks:
        files.append(tmp_path / f"asgi_{name}.py")
        files[-1].write_text(block)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache")]
    config = ["--config-file", str(ROOT / "pyproject.toml")]
    result = subprocess.run(
        [*mypy, *config, *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
