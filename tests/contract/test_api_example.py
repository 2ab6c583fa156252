"""The example's typed contract: its notes API (example/api.py's @json_api declarations, typed
into frontend/src/duet/api.d.ts, which lib/api.ts's openapi-fetch client uses), its URL names
(routes.ts: the React Router section links to a Django page by name) and its islands' props
(example/props.py -> props.ts: Greeting and Stock take their types from it). The committed files
must be what `duet types` writes today (`--check`), and both frontends must type-check with them
(the e2e tests then use them in Chromium)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "example"
FRONTEND = EXAMPLE / "frontend"
STALE = """
from django_duet.conf import conf
from django_duet.contract.api import api_texts
import json
print(json.dumps([str(p) for p, text in api_texts(conf)
                  if not p.is_file() or p.read_text(encoding="utf-8") != text]))
"""


def test_the_committed_api_types_are_what_duet_types_writes() -> None:
    if not (FRONTEND / "node_modules" / ".bin" / "openapi-typescript").is_file():
        pytest.fail("needs example/frontend/node_modules: run `make node-deps`.")
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", STALE],
        cwd=EXAMPLE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "example.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    stale = json.loads(done.stdout.strip().splitlines()[-1])
    assert stale == [], "run `python manage.py duet types` in example/ and commit the result"
    check = subprocess.run(
        [sys.executable, "manage.py", "duet", "types", "--check"],
        cwd=EXAMPLE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "example.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr  # routes.ts and props.ts of both frontends too
    document = json.loads((FRONTEND / "src" / "duet" / "api.openapi.json").read_text())
    assert set(document["paths"]["/api/notes/"]) == {"get", "post"}


@pytest.mark.parametrize("frontend", [FRONTEND, EXAMPLE / "staff-frontend"], ids=lambda p: p.name)
def test_the_example_frontends_type_check_with_the_generated_modules(frontend: Path) -> None:
    done = subprocess.run(
        [str(frontend / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", str(frontend)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout
