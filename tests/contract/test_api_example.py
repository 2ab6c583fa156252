"""The example's notes API in its frontend: example/api.py's @json_api declarations, typed by
`duet types` into frontend/src/duet/api.d.ts (committed), which lib/api.ts's openapi-fetch client
uses. The committed files must be what `duet types` writes today, and the frontend must
type-check with them (the e2e tests then use the client in Chromium)."""

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
    document = json.loads((FRONTEND / "src" / "duet" / "api.openapi.json").read_text())
    assert set(document["paths"]["/api/notes/"]) == {"get", "post"}


def test_the_example_frontend_type_checks_with_the_generated_client() -> None:
    done = subprocess.run(
        [str(FRONTEND / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", str(FRONTEND)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout
