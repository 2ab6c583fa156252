"""`duet build` and `duet check-build`: steps, failures that name the step, and the build record."""

from __future__ import annotations

import json
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from django_duet.build.record import compute_record, read_record, write_record
from tests.helpers import fake_npm

ROOT = Path(__file__).resolve().parents[2]


def duet(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("duet", *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise AssertionError(f"{exc}\n{err.getvalue()}") from None
    return out.getvalue(), err.getvalue()


def duet_fails(*args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("duet", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_check_build_accepts_a_complete_build(build_dir):
    write_record(build_dir)
    out, _ = duet("check-build", "--no-static-root")
    assert f"build id {read_record(build_dir).build_id}" in out


def test_check_build_names_a_missing_file(build_dir):
    (build_dir / "assets" / "shared-Sh4red00.js").unlink()
    err = duet_fails("check-build", "--no-static-root")
    assert "'assets/shared-Sh4red00.js', which is missing" in err


def test_check_build_detects_a_changed_file(build_dir):
    write_record(build_dir)
    (build_dir / "assets" / "admin-Adm1n000.js").write_text("tampered")
    err = duet_fails("check-build", "--no-static-root")
    assert "'assets/admin-Adm1n000.js' changed since the build (hash mismatch)" in err


def test_check_build_reports_an_invalid_manifest(build_dir):
    (build_dir / ".vite" / "manifest.json").write_text('{"a": ')
    assert "not a valid Vite manifest" in duet_fails("check-build", "--no-static-root")


def test_check_build_wants_the_files_collected(build_dir, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "empty_root"
    err = duet_fails("check-build")
    assert "is not in STATIC_ROOT" in err and "run collectstatic" in err


def test_check_build_passes_after_collectstatic(collected):
    write_record(Path(collected).parent / "dist")
    out, _ = duet("check-build")
    assert "is complete" in out


def test_build_id_depends_only_on_content(build_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(build_dir, copy)
    os.utime(copy / ".vite" / "manifest.json", (0, 0))  # other mtimes, same contents
    assert compute_record(copy).build_id == compute_record(build_dir).build_id
    manifest = copy / ".vite" / "manifest.json"
    manifest.write_text(manifest.read_text().replace("main-AbCd1234", "main-NewH4sh0"))
    assert compute_record(copy).build_id != compute_record(build_dir).build_id


def test_record_skips_dot_directories_and_lists_sri(build_dir):
    record = write_record(build_dir)
    assert ".vite/manifest.json" not in record.files and ".env" not in record.files
    assert record.files["assets/main-AbCd1234.js"].startswith("sha384-")
    data = json.loads((build_dir / ".vite" / "duet-build.json").read_text())
    assert data["buildId"] == record.build_id


@pytest.fixture
def frontend(build_dir, settings, tmp_path, monkeypatch):
    front = tmp_path / "front"
    front.mkdir()
    (front / "package.json").write_text("{}")
    (front / "package-lock.json").write_text("{}")
    settings.DUET = {"FRONTEND_DIR": front, "BUILD_DIR": build_dir}
    settings.STATIC_ROOT = tmp_path / "collected"
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return front


def test_build_runs_every_step_and_passes_static_url(frontend, tmp_path):
    log = tmp_path / "npm.log"
    fake_npm(tmp_path / "bin", f'echo "$@ base=$DUET_STATIC_URL" >> {log}\n')
    out, _ = duet("build")
    assert log.read_text() == "ci base=\nrun build base=/static/\n"
    for number, step in enumerate(["install", "build", "record", "check", "collectstatic"], 1):
        assert f"[{number}/5] {step}" in out
    assert (tmp_path / "collected" / "assets" / "main-AbCd1234.js").exists()
    duet("check-build")


def test_build_failure_names_the_step(frontend, tmp_path):
    fake_npm(tmp_path / "bin", 'test "$1" = ci && exit 0\necho boom >&2\nexit 3\n')
    err = duet_fails("build")
    assert "duet build failed at step 'build': `npm run build` exited with 3" in err


def test_build_without_npm_says_what_to_install(frontend, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "npm is not on PATH: install Node.js" in duet_fails("build")


def test_build_without_lockfile_refuses_to_install(frontend):
    (frontend / "package-lock.json").unlink()
    assert "no package-lock.json" in duet_fails("build")


def test_build_with_a_broken_result_fails_at_check(frontend, tmp_path, build_dir):
    fake_npm(tmp_path / "bin", f"rm {build_dir / 'assets' / 'admin-Adm1n000.js'}\n")
    err = duet_fails("build", "--no-install")
    assert "failed at step 'check'" in err and "admin-Adm1n000.js" in err


def test_build_writes_the_types_before_the_frontend_build_once_they_are_used(
    frontend, tmp_path, settings
):
    settings.ROOT_URLCONF = "tests.contract.routes_fixture"
    routes = frontend / "src" / "duet" / "routes.ts"
    # The frontend's build type-checks against the generated module: it must exist by then.
    log = tmp_path / "npm.log"
    script = f'test "$1" = ci && exit 0\ntest -f {routes} && echo there >> {log}\nexit 0\n'
    fake_npm(tmp_path / "bin", script)
    out, _ = duet("build", "--no-collectstatic")
    assert "types" not in out and not routes.exists()  # not used: nothing written
    routes.parent.mkdir(parents=True)
    out, _ = duet("build", "--no-collectstatic")
    assert "[2/5] types" in out and "[3/5] build" in out
    assert log.read_text() == "there\n"
    assert f"wrote {routes}" in out
    assert '"items:detail": { "pk": number };' in routes.read_text()
