"""The build record: a sha384 per build file and a build id derived from them.

Written by ``manage.py duet build`` right after the bundler ran (``.vite/duet-build.json`` in
BUILD_DIR), verified by ``duet check-build``. The id depends only on the files' contents, so
every app server of one deploy computes the same id, whatever order they were deployed in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django_duet.build.manifest import Manifest, build_id_of
from django_duet.conf import all_frontends

RECORD_NAME = "duet-build.json"


@dataclass(frozen=True)
class BuildRecord:
    build_id: str
    files: dict[str, str]  # path relative to BUILD_DIR -> "sha384-<base64>"
    manifest: str | None = None  # sha384 of the manifest the record was made with


def record_path(build_dir: Path) -> Path:
    return build_dir / ".vite" / RECORD_NAME


def sri_hash(path: Path) -> str:
    digest = hashlib.sha384()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return "sha384-" + base64.b64encode(digest.digest()).decode()


def build_files(build_dir: Path) -> list[str]:
    """Every file of the build except dot-directories (the manifest and the record)."""
    names: list[str] = []
    for folder, dirs, files in os.walk(build_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(folder).relative_to(build_dir)
        names += [(rel / f).as_posix() for f in sorted(files) if not f.startswith(".")]
    return sorted(names)


def compute_record(build_dir: Path) -> BuildRecord:
    files = {name: sri_hash(build_dir / name) for name in build_files(build_dir)}
    manifest = build_dir / ".vite" / "manifest.json"
    for frontend in all_frontends():  # the manifest that frontend's settings name
        if build_dir == frontend.BUILD_DIR:
            manifest = frontend.MANIFEST_PATH
            break
    if manifest.is_file():  # the id the app serves (Manifest.build_id)
        build_id = build_id_of(manifest.read_bytes())
    else:  # no manifest (yet): an id of the files themselves
        build_id = build_id_of(
            "".join(f"{n}\0{sri}\n" for n, sri in sorted(files.items())).encode()
        )
    return BuildRecord(
        build_id=build_id,
        files=files,
        manifest=sri_hash(manifest) if manifest.is_file() else None,
    )


def write_record(build_dir: Path) -> BuildRecord:
    record = compute_record(build_dir)
    target = record_path(build_dir)
    temp = target.with_suffix(".tmp")
    data = {
        "version": 1,
        "buildId": record.build_id,
        "manifest": record.manifest,
        "files": record.files,
    }
    temp.write_text(json.dumps(data, indent=2) + "\n")
    temp.replace(target)  # atomic: readers see the old or the new record
    return record


def read_record(build_dir: Path) -> BuildRecord | None:
    try:
        data = json.loads(record_path(build_dir).read_text(encoding="utf-8"))
        return BuildRecord(
            build_id=str(data["buildId"]), files=dict(data["files"]), manifest=data.get("manifest")
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{record_path(build_dir)} is damaged ({exc}); run `duet build` again"
        ) from None


def verify(build_dir: Path, manifest: Manifest) -> list[str]:
    """Problems of a build on disk, as sentences; empty when it is deployable."""
    problems = [
        f"the manifest names {name!r}, which is missing from {build_dir}"
        for name in sorted(manifest.files())
        if not (build_dir / name).is_file()
    ]
    record = read_record(build_dir)
    if record is None:
        return problems
    for name, expected in sorted(record.files.items()):
        path = build_dir / name
        if not path.is_file():
            problems.append(f"{name!r} was built but is missing now")
        elif sri_hash(path) != expected:
            problems.append(f"{name!r} changed since the build (hash mismatch)")
    return problems
