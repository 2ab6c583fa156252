"""The frontend's package manager, from its committed lockfile: npm, yarn (classic or berry), pnpm.

``duet build`` installs with the frozen install of the tool whose lockfile the frontend commits
(never rewriting the lockfile), then runs the ``build`` script with the same tool:

- ``package-lock.json``: ``npm ci``;
- ``yarn.lock`` written by yarn 1 (``# yarn lockfile v1``): ``yarn install --frozen-lockfile``;
- ``yarn.lock`` written by yarn 2+ (berry, a ``__metadata:`` block): ``yarn install --immutable``;
- ``pnpm-lock.yaml``: ``pnpm install --frozen-lockfile``.

No lockfile, or two of them, is an error that names them; so is a tool missing from PATH (with
how to get it: Corepack, which ships with Node.js, provides yarn and pnpm).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django_duet.exceptions import DuetError

#: The lockfiles ``duet build`` knows, in the order it names them.
LOCKFILES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml")

COREPACK_HINT = (
    "run `corepack enable` (Corepack ships with Node.js 20 and 22; on a Node.js without it, "
    "`npm install -g corepack` first), and pin the version in package.json's "
    '"packageManager" field (e.g. "{example}")'
)


class PackageManagerError(DuetError):
    """The frontend's lockfiles or package manager do not allow a frozen install."""


@dataclass(frozen=True)
class PackageManager:
    name: str  # the command: "npm", "yarn" or "pnpm"
    flavor: str  # how it is named to people: "npm", "yarn 1 (classic)", "yarn 2+ (berry)", "pnpm"
    lockfile: str
    install_args: tuple[str, ...]
    pin: str  # an example of package.json's "packageManager" value for it

    def install_command(self, executable: str) -> list[str]:
        return [executable, *self.install_args]

    def describe(self, args: list[str]) -> str:
        """A command as the user would type it (``yarn install --immutable``)."""
        return " ".join([self.name, *args[1:]])


NPM = PackageManager("npm", "npm", "package-lock.json", ("ci",), "npm@11.6.2")
YARN_CLASSIC = PackageManager(
    "yarn", "yarn 1 (classic)", "yarn.lock", ("install", "--frozen-lockfile"), "yarn@1.22.22"
)
YARN_BERRY = PackageManager(
    "yarn", "yarn 2+ (berry)", "yarn.lock", ("install", "--immutable"), "yarn@4.9.2"
)
PNPM = PackageManager(
    "pnpm", "pnpm", "pnpm-lock.yaml", ("install", "--frozen-lockfile"), "pnpm@10.34.8"
)


def is_berry_lockfile(path: Path) -> bool:
    """yarn 2+ writes a YAML lockfile with a ``__metadata:`` block; yarn 1 its own v1 format."""
    with path.open(encoding="utf-8", errors="replace") as lockfile:
        head = lockfile.read(4096)
    return any(line.startswith("__metadata:") for line in head.splitlines())


def detect(frontend: Path) -> PackageManager:
    """The package manager of ``frontend``, from the one lockfile it commits."""
    found = [name for name in LOCKFILES if (frontend / name).is_file()]
    if not found:
        raise PackageManagerError(
            f"no package-lock.json, yarn.lock or pnpm-lock.yaml in {frontend}: install with your "
            "package manager (`npm install`, `yarn install` or `pnpm install`) and commit its "
            "lockfile"
        )
    if len(found) > 1:
        raise PackageManagerError(
            f"two lockfiles in {frontend}: {' and '.join(found)}. duet build cannot tell which "
            "package manager installs this frontend: delete the lockfile of the one you do not "
            "use (and its node_modules), then install again with the other"
        )
    if found[0] == "package-lock.json":
        return NPM
    if found[0] == "pnpm-lock.yaml":
        return PNPM
    return YARN_BERRY if is_berry_lockfile(frontend / "yarn.lock") else YARN_CLASSIC


def executable(manager: PackageManager, frontend: Path) -> str:
    """The tool's path on PATH, or an error saying how to get it."""
    found = shutil.which(manager.name)
    if found is not None:
        return found
    if manager is NPM:
        raise PackageManagerError("npm is not on PATH: install Node.js 20 or newer (it ships npm)")
    raise PackageManagerError(
        f"{frontend} has a {manager.lockfile} ({manager.flavor}), but {manager.name} is not on "
        f"PATH: {COREPACK_HINT.format(example=manager.pin)}"
    )


def check_yarn_version(manager: PackageManager, path: str, frontend: Path) -> None:
    """A yarn 1 binary cannot install a berry lockfile (and the reverse): say which to pin."""
    if manager.name != "yarn":
        return
    try:
        result = subprocess.run(
            [path, "--version"], cwd=frontend, capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return  # the install itself will report it
    version = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if result.returncode or not version[:1].isdigit():
        return
    classic = version.startswith("1.")
    if classic == (manager is YARN_CLASSIC):
        return
    raise PackageManagerError(
        f"{frontend / 'yarn.lock'} was written by {manager.flavor}, but `yarn --version` there "
        f'says {version}: pin the yarn that wrote it in package.json\'s "packageManager" field '
        f'(e.g. "{manager.pin}") and run `corepack enable`, so that `yarn` runs that version'
    )
