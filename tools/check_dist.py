"""``make dist``'s last step: the wheel, the sdist and the npm tarball carry one version.

Usage: python tools/check_dist.py DIST_DIR. Exits 1, naming each artifact and its version,
when they disagree with each other or with the repository (pyproject.toml, js/package.json).
"""

from __future__ import annotations

import json
import sys
import tarfile
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _metadata_version(text: str) -> str:
    return str(HeaderParser().parsestr(text)["Version"])


def wheel_version(path: Path) -> str:
    with zipfile.ZipFile(path) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        return _metadata_version(wheel.read(name).decode())


def sdist_version(path: Path) -> str:
    with tarfile.open(path) as sdist:
        member = next(
            m for m in sdist.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
        )
        file = sdist.extractfile(member)
        assert file is not None
        return _metadata_version(file.read().decode())


def npm_version(path: Path) -> str:
    with tarfile.open(path) as tarball:
        file = tarball.extractfile("package/package.json")
        assert file is not None
        return str(json.loads(file.read())["version"])


def versions(dist: Path, root: Path = ROOT) -> dict[str, str]:
    found = {
        "pyproject.toml": tomllib.loads((root / "pyproject.toml").read_text())["project"][
            "version"
        ],
        "js/package.json": json.loads((root / "js" / "package.json").read_text())["version"],
    }
    readers = {"*.whl": wheel_version, "*.tar.gz": sdist_version, "*.tgz": npm_version}
    for pattern, read in readers.items():
        paths = sorted(dist.glob(pattern))
        if len(paths) != 1:
            raise SystemExit(f"{dist}: expected one {pattern}, found {[p.name for p in paths]}")
        found[paths[0].name] = read(paths[0])
    return found


def main(argv: list[str]) -> int:
    found = versions(Path(argv[1]))
    if len(set(found.values())) != 1:
        print("Versions disagree:", *(f"  {k}: {v}" for k, v in found.items()), sep="\n")
        return 1
    print(f"One version, {next(iter(found.values()))}: {', '.join(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
