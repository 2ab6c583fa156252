"""``make dist``'s check: wheel, sdist and npm tarball carry the repository's version."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "check_dist.py"


def _tar(path: Path, name: str, data: bytes) -> None:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def artifacts(dist: Path, wheel: str, sdist: str, npm: str) -> None:
    dist.mkdir()
    with zipfile.ZipFile(dist / f"django_duet-{wheel}-py3-none-any.whl", "w") as zf:
        zf.writestr(
            f"django_duet-{wheel}.dist-info/METADATA", f"Name: django-duet\nVersion: {wheel}\n"
        )
    _tar(
        dist / f"django_duet-{sdist}.tar.gz",
        f"django_duet-{sdist}/PKG-INFO",
        f"Version: {sdist}\n".encode(),
    )
    _tar(
        dist / f"django-duet-{npm}.tgz",
        "package/package.json",
        json.dumps({"version": npm}).encode(),
    )


def check(dist: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(dist)], capture_output=True, text=True, timeout=60
    )


def repo_version() -> str:
    return json.loads((ROOT / "js" / "package.json").read_text())["version"]


def test_artifacts_of_the_repository_version_pass(tmp_path):
    version = repo_version()
    artifacts(tmp_path / "dist", version, version, version)
    done = check(tmp_path / "dist")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"One version, {version}" in done.stdout


def test_a_tarball_of_another_version_fails_and_is_named(tmp_path):
    version = repo_version()
    artifacts(tmp_path / "dist", version, version, "9.9.9")
    done = check(tmp_path / "dist")
    assert done.returncode == 1
    assert "django-duet-9.9.9.tgz: 9.9.9" in done.stdout
