"""``duet_build``: the frontend built once per test session, and reused while nothing changed.

A content hash of the frontend's sources and lockfile (everything in the frontend folder but
``node_modules``, the build output and editor/bundler leftovers), of any extra inputs, and of the
build command decides. It is stored outside the source tree, in pytest's cache folder (or in
``$DUET_TEST_CACHE``), next to a lock file: pytest-xdist workers wait for the one that builds,
then reuse its build.

``DUET_BUILD`` (or ``--duet-build``) says how much to trust an existing build:
``auto`` (the hash decides), ``always`` (rebuild) or ``trust`` (a build was just made, e.g. by
``make frontend``: use it and record it as the build of the current sources).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shlex
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

MODES = ("auto", "always", "trust")
# Never inputs of a build: dependencies, outputs, the dev server's hot file, Vite's temp configs.
SKIPPED_NAMES = frozenset({"node_modules", ".git", "__pycache__", ".duet-hot", ".DS_Store"})
SKIPPED_SUFFIXES = (".pyc", ".swp", "~")


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class FrontendBuild:
    """What ``duet_build`` gives: where the build is, the hash it was built from, and whether
    this session built it (False: an earlier build of the same sources was reused)."""

    frontend_dir: Path
    output_dir: Path
    source_hash: str
    built: bool
    # The project's other frontends (ini duet_more_frontends), built the same way.
    others: tuple[FrontendBuild, ...] = ()


def _skipped(path: Path, output_dir: Path) -> bool:
    return (
        path.name in SKIPPED_NAMES
        or ".timestamp-" in path.name  # vite.config.ts.timestamp-*.mjs while Vite runs
        or path.name.endswith(SKIPPED_SUFFIXES)
        or path == output_dir
    )


def _files(root: Path, output_dir: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for entry in sorted(root.iterdir()):
        if _skipped(entry, output_dir):
            continue
        if entry.is_dir():
            yield from _files(entry, output_dir)
        elif entry.is_file():
            yield entry


def source_hash(
    frontend_dir: Path, output_dir: Path, command: str, extra_inputs: Iterable[Path] = ()
) -> str:
    """sha256 over the build command and every input file's path and bytes."""
    digest = hashlib.sha256(command.encode())
    for root in [frontend_dir, *extra_inputs]:
        if not root.exists():
            digest.update(f"\0missing:{root}".encode())
            continue
        for path in _files(root, output_dir):
            digest.update(f"\0{path.relative_to(root.parent)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def output_fingerprint(output_dir: Path) -> str:
    """Names and sizes of the build's files: a deleted or replaced build is not reused."""
    if not output_dir.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in output_dir.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(output_dir)}\0{path.stat().st_size}\0".encode())
    return digest.hexdigest()


@contextmanager
def _locked(lock_path: Path, timeout: float) -> Iterator[None]:
    """An exclusive flock, waited for at most ``timeout`` seconds (another worker builds)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BuildError(
                        f"Waited {timeout}s for the build lock {lock_path}: another test "
                        "session is building the frontend, or a stale process holds it."
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: str, frontend_dir: Path, timeout: float) -> None:
    try:
        result = subprocess.run(
            shlex.split(command),
            cwd=frontend_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise BuildError(
            f"The build command {command!r} could not start in {frontend_dir} ({exc}): "
            "set --duet-build-command (or the duet_build_command ini option)."
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"{command!r} in {frontend_dir} took over {timeout}s.") from exc
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-6000:]
        raise BuildError(
            f"{command!r} in {frontend_dir} failed with exit code {result.returncode}:\n{output}"
        )


def ensure_build(
    frontend_dir: Path,
    *,
    cache_dir: Path,
    command: str = "npm run build",
    output_dir: Path | None = None,
    extra_inputs: Iterable[Path] = (),
    mode: str = "auto",
    timeout: float = 600.0,
) -> FrontendBuild:
    """Build ``frontend_dir`` unless the recorded build of the same inputs is still there."""
    if mode not in MODES:
        raise BuildError(f"DUET_BUILD / --duet-build is {mode!r}: use one of {', '.join(MODES)}.")
    frontend_dir = frontend_dir.resolve()
    output_dir = (output_dir or frontend_dir / "dist").resolve()
    extra = [Path(p).resolve() for p in extra_inputs]
    if not frontend_dir.is_dir():
        raise BuildError(f"No frontend at {frontend_dir}: set --duet-frontend-dir.")
    key = hashlib.sha256(str(frontend_dir).encode()).hexdigest()[:16]
    record_path = cache_dir / f"build-{key}.json"
    with _locked(cache_dir / f"build-{key}.lock", timeout):
        current = source_hash(frontend_dir, output_dir, command, extra)
        record = json.loads(record_path.read_text()) if record_path.exists() else {}
        fingerprint = output_fingerprint(output_dir)
        fresh = (
            bool(fingerprint)
            and record.get("source_hash") == current
            and record.get("output") == fingerprint
        )
        built = False
        if mode == "trust":
            if not fingerprint:
                raise BuildError(f"DUET_BUILD=trust, but there is no build in {output_dir}.")
        elif mode == "always" or not fresh:
            _run(command, frontend_dir, timeout)
            built = True
            fingerprint = output_fingerprint(output_dir)
            if not fingerprint:
                raise BuildError(f"{command!r} succeeded but wrote nothing to {output_dir}.")
            # Hashed again: a build may leave files among the inputs (tsbuildinfo ...).
            current = source_hash(frontend_dir, output_dir, command, extra)
        record = {
            "frontend_dir": str(frontend_dir),
            "source_hash": current,
            "output": fingerprint,
            "command": command,
        }
        tmp = record_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, indent=2))
        tmp.replace(record_path)
    return FrontendBuild(frontend_dir, output_dir, current, built)


def cache_dir(config: pytest.Config) -> Path:
    """$DUET_TEST_CACHE, else ``duet-cache`` in pytest's cache folder (never the sources)."""
    configured = os.environ.get("DUET_TEST_CACHE")
    if configured:
        return Path(configured)
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("duet-cache"))
    return config.rootpath / ".duet-cache"


def frontend_dir(config: pytest.Config) -> Path:
    """``--duet-frontend-dir`` / ``duet_frontend_dir`` (relative to the rootdir)."""
    configured = config.getoption("duet_frontend_dir") or config.getini("duet_frontend_dir")
    if not configured:
        raise BuildError(
            "Where is the frontend? Set --duet-frontend-dir or duet_frontend_dir (ini), "
            "e.g. duet_frontend_dir = frontend."
        )
    return (config.rootpath / str(configured)).resolve()


@pytest.fixture(scope="session")
def duet_build(pytestconfig: pytest.Config) -> FrontendBuild:
    """The frontend built once per session; reused across sessions while its inputs match.

    With ``duet_more_frontends`` (a project with several frontends), those are built too,
    before any server collects static files: ``duet_build.others``."""
    config = pytestconfig
    output_name = config.getini("duet_build_output") or "dist"
    command = config.getoption("duet_build_command") or config.getini("duet_build_command")
    mode = config.getoption("duet_build") or os.environ.get("DUET_BUILD") or "auto"
    inputs = [config.rootpath / p for p in config.getini("duet_build_inputs")]

    def build(frontend: Path) -> FrontendBuild:
        return ensure_build(
            frontend,
            cache_dir=cache_dir(config),
            command=str(command or "npm run build"),
            output_dir=frontend / output_name,
            extra_inputs=inputs,
            mode=mode,
        )

    try:
        main = build(frontend_dir(config))
        others = tuple(
            build((config.rootpath / str(folder)).resolve())
            for folder in config.getini("duet_more_frontends")
        )
    except BuildError as exc:
        pytest.fail(str(exc), pytrace=False)
    return replace(main, others=others)
