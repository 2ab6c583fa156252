"""The release artifacts, as ``make dist`` makes them: the wheel and the sdist (``python -m
build``, the sdist first and the wheel built from it) and the npm tarball (``npm pack`` of js/,
whose ``prepack`` builds dist/), then ``check_dist``: one version for the three.

Usage: python tools/dist.py DIST_DIR. tests/e2e/test_first_hour.py calls ``python_artifacts``
and ``npm_tarball`` (on a scratch copy of js/, so that the shared js/dist is never rebuilt
under other tests' feet).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_dist  # noqa: E402


def python_artifacts(dist: Path, python: str = sys.executable) -> tuple[Path, Path]:
    """(wheel, sdist) of the repository in ``dist``."""
    subprocess.run([python, "-m", "build", "--outdir", str(dist), str(ROOT)], check=True)
    return _one(dist, "*.whl"), _one(dist, "*.tar.gz")


def npm_tarball(dist: Path, js: Path = ROOT / "js") -> Path:
    """``npm pack`` of the npm package folder ``js`` into ``dist``."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not on PATH: install Node.js 20.19 or newer")
    subprocess.run([npm, "pack", "--pack-destination", str(dist.resolve())], cwd=js, check=True)
    return _one(dist, "*.tgz")


def scratch_copy_of_js(target: Path) -> Path:
    """js/ without its build, sharing its node_modules (the build tools ``prepack`` runs)."""
    source = ROOT / "js"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (target / "node_modules").symlink_to(source / "node_modules")
    return target


def _one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    if len(found) != 1:
        raise SystemExit(f"{dist}: expected one {pattern}, found {[p.name for p in found]}")
    return found[0]


def main(argv: list[str]) -> int:
    dist = Path(argv[1])
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    python_artifacts(dist)
    npm_tarball(dist)
    return check_dist.main([argv[0], str(dist)])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
