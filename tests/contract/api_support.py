"""Shared by test_api*.py: a scratch frontend on tests/fixtures/api-frontend's node_modules
(openapi-typescript, openapi-fetch, TypeScript, django-duet), `duet types`, and tsc over it."""

from __future__ import annotations

import json
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_MODULES = ROOT / "tests" / "fixtures" / "api-frontend" / "node_modules"
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",
        "lib": ["es2022", "dom"],
        "skipLibCheck": True,
    },
    "include": ["src"],
}


def scratch_frontend(folder: Path, usage: str) -> Path:
    """``folder`` as a frontend whose src/usage.ts is ``usage``."""
    if not (FIXTURE_MODULES / ".bin" / "openapi-typescript").is_file():
        pytest.fail("needs tests/fixtures/api-frontend/node_modules: run `make node-deps`.")
    (folder / "node_modules").symlink_to(FIXTURE_MODULES)
    (folder / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    (folder / "src").mkdir()
    (folder / "src" / "usage.ts").write_text(usage)
    return folder


def duet_types(*args: str) -> str:
    out = StringIO()
    call_command("duet", "types", *args, stdout=out, stderr=out)
    return out.getvalue()


def tsc(frontend: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(frontend / "node_modules" / ".bin" / "tsc"), "-p", str(frontend)],
        capture_output=True,
        text=True,
        timeout=180,
    )
