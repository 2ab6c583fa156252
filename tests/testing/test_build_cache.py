"""duet_build: one build per set of sources, reused across sessions, redone on a change."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from django_duet.testing.build import BuildError, ensure_build, source_hash

from .conftest import build_runs, run

USES_BUILD = """
def test_build(duet_build):
    out = duet_build.output_dir / "out.txt"
    print("BUILT" if duet_build.built else "REUSED", out.read_text())
"""


def test_reused_when_nothing_changed_redone_when_a_source_changes(pytester, frontend_project):
    root = frontend_project
    pytester.makepyfile(test_app=USES_BUILD)
    run(pytester, "-s").assert_outcomes(passed=1)
    assert build_runs(root) == 1

    result = run(pytester, "-s")  # a new session: the hash says nothing changed
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*REUSED console.log('v1')*"])
    assert build_runs(root) == 1

    (root / "frontend" / "src" / "main.js").write_text("console.log('v2')\n")
    result = run(pytester, "-s")
    result.stdout.fnmatch_lines(["*BUILT console.log('v2')*"])
    assert build_runs(root) == 2

    (root / "frontend" / "package-lock.json").write_text('{"lockfileVersion": 3, "x": 1}\n')
    run(pytester, "-s").assert_outcomes(passed=1)
    assert build_runs(root) == 3

    # node_modules and the build itself are no inputs; the record lives outside the sources.
    (root / "frontend" / "node_modules").mkdir()
    (root / "frontend" / "node_modules" / "dep.js").write_text("x")
    run(pytester, "-s").assert_outcomes(passed=1)
    assert build_runs(root) == 3
    assert sorted(p.name for p in (root / "frontend").iterdir()) == [
        "build.py", "dist", "node_modules", "package-lock.json", "src"
    ]  # fmt: skip
    assert list((root / ".pytest_cache").rglob("build-*.json"))


def test_a_deleted_build_is_rebuilt_and_trust_records_a_fresh_one(pytester, frontend_project):
    root = frontend_project
    pytester.makepyfile(test_app=USES_BUILD)
    run(pytester).assert_outcomes(passed=1)
    (root / "frontend" / "dist" / "out.txt").unlink()
    (root / "frontend" / "dist" / "other.txt").write_text("not the build")
    run(pytester).assert_outcomes(passed=1)
    assert build_runs(root) == 2

    # `make frontend` then `DUET_BUILD=trust pytest`: its build counts as the sources' build.
    (root / "frontend" / "src" / "main.js").write_text("console.log('made')\n")
    (root / "frontend" / "dist" / "out.txt").write_text("console.log('made')\n")
    result = run(pytester, "-s", "--duet-build=trust")
    result.stdout.fnmatch_lines(["*REUSED console.log('made')*"])
    result = run(pytester, "-s")
    result.stdout.fnmatch_lines(["*REUSED console.log('made')*"])
    assert build_runs(root) == 2


def test_a_failed_build_fails_with_its_output(pytester, frontend_project):
    (frontend_project / "frontend" / "build.py").write_text("raise SystemExit('tsc: 3 errors')")
    pytester.makepyfile(test_app=USES_BUILD)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*failed with exit code 1*", "*tsc: 3 errors*"])


def test_the_hash_skips_outputs_and_dependencies(tmp_path: Path):
    frontend = tmp_path / "frontend"
    (frontend / "src").mkdir(parents=True)
    (frontend / "src" / "a.ts").write_text("a")
    before = source_hash(frontend, frontend / "dist", "npm run build")
    for name in ("dist", "node_modules"):
        (frontend / name).mkdir()
        (frontend / name / "x.js").write_text("x")
    (frontend / ".duet-hot").write_text("http://127.0.0.1:5173")
    (frontend / "vite.config.ts.timestamp-1-abc.mjs").write_text("x")
    assert source_hash(frontend, frontend / "dist", "npm run build") == before
    assert source_hash(frontend, frontend / "dist", "npm run build:prod") != before
    (frontend / "src" / "a.ts").write_text("b")
    assert source_hash(frontend, frontend / "dist", "npm run build") != before


def test_trust_without_a_build_says_so(tmp_path: Path):
    (tmp_path / "frontend").mkdir()
    with pytest.raises(BuildError, match="no build in"):
        ensure_build(tmp_path / "frontend", cache_dir=tmp_path / "cache", mode="trust")


USES_BOTH = """
def test_builds(duet_build):
    [staff] = duet_build.others
    print("MAIN", (duet_build.output_dir / "out.txt").read_text().strip())
    print("STAFF", (staff.output_dir / "out.txt").read_text().strip(), staff.built)
"""


def test_more_frontends_are_built_before_the_tests_and_cached_alike(pytester, frontend_project):
    # A project with DUET["FRONTENDS"]: the live server collects every frontend's build.
    root = frontend_project
    staff = root / "staff"
    (staff / "src").mkdir(parents=True)
    (staff / "src" / "main.js").write_text("console.log('staff v1')\n")
    (staff / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    (staff / "build.py").write_text((root / "frontend" / "build.py").read_text())
    pytester.makeini(
        f"""
        [pytest]
        duet_frontend_dir = frontend
        duet_more_frontends = staff
        duet_build_command = {sys.executable} build.py 0
        """
    )
    pytester.makepyfile(test_app=USES_BOTH)
    result = run(pytester, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*MAIN console.log('v1')*", "*STAFF console.log('staff v1') True*"]
    )
    assert build_runs(root) == 2

    result = run(pytester, "-s")  # nothing changed: both reused
    result.stdout.fnmatch_lines(["*STAFF console.log('staff v1') False*"])
    assert build_runs(root) == 2

    (staff / "src" / "main.js").write_text("console.log('staff v2')\n")
    result = run(pytester, "-s")  # only the staff frontend changed: only it is rebuilt
    result.stdout.fnmatch_lines(["*STAFF console.log('staff v2') True*"])
    assert build_runs(root) == 3
