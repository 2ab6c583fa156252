"""A real PostgreSQL for tests: ``initdb`` and ``pg_ctl`` in a scratch folder, a free port.

    with PostgresServer() as postgres:
        os.environ["DATABASE_URL"] = postgres.url  # postgres://postgres@127.0.0.1:<port>/duet

It listens on 127.0.0.1 only, trusts local connections (a test cluster, never a real one) and
writes nothing outside its scratch folder, which it removes on ``stop()``. ``restart()`` stops
and starts it on the same port and data, as a database upgrade or failover would. PostgreSQL
refuses to run as root: as root, every command runs as the ``postgres`` user (``runuser``),
which owns the scratch folder. The ``duet_postgres`` fixture, one per session, skips the test,
saying what to install, when the server binaries are missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from django_duet.testing.servers import LOOPBACK, ServerStartError, Started, free_port

MISSING = (
    "PostgreSQL's server (initdb, pg_ctl) is not installed (Debian: apt-get install postgresql; "
    "`make system-deps`), or not in the folder $DUET_POSTGRES_BIN names"
)
SUPERUSER = "postgres"
DATABASE = "duet"


def find_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: $DUET_POSTGRES_BIN (only it, when set), else
    PATH, else Debian's newest /usr/lib/postgresql/<version>/bin."""
    named = os.environ.get("DUET_POSTGRES_BIN")
    if named:
        return Path(named) if os.access(Path(named) / "initdb", os.X_OK) else None
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(debian[-1]).parent if debian else None


def _version(path: str) -> int:
    part = Path(path).parents[1].name
    return int(part) if part.isdigit() else 0


class PostgresServer(Started):
    def __init__(self, *, port: int | None = None, start_timeout: int = 30) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise ServerStartError(MISSING)
        self.bin_dir = bin_dir
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.scratch: Path | None = None
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://{SUPERUSER}@{LOOPBACK}:{self.port}/{DATABASE}"

    def _run(self, name: str, *args: str) -> str:
        command = [str(self.bin_dir / name), *args]
        if os.geteuid() == 0:  # initdb and postgres refuse root
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=self.start_timeout + 30,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if done.returncode != 0:
            log = self._server_log()
            raise ServerStartError(
                f"{name} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                + (f"\nserver log:\n{log}" if log else "")
            )
        return done.stdout

    def _server_log(self) -> str:
        log = self.scratch / "server.log" if self.scratch else None
        return log.read_text(errors="replace")[-4000:] if log and log.exists() else ""

    def start(self) -> PostgresServer:
        if self.scratch is None:
            self._init()  # starts it too
        else:
            self._pg_ctl_start(self.scratch)
        return self

    def _pg_ctl_start(self, scratch: Path) -> None:
        data = str(scratch / "data")
        options = f"-p {self.port} -k {scratch} -c listen_addresses={LOOPBACK} -c fsync=off"
        self._run(
            "pg_ctl",
            *("-D", data, "-o", options, "-l", str(scratch / "server.log")),
            *("-w", "-t", str(self.start_timeout), "start"),
        )
        self.running = True

    def _init(self) -> None:
        # Not under pytest's tmp_path: its parents are private to root, and postgres must reach it.
        self.scratch = scratch = Path(tempfile.mkdtemp(prefix="duet-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(scratch, SUPERUSER, SUPERUSER)
        try:
            self._run(
                "initdb",
                *("-D", str(self.scratch / "data"), "-A", "trust", "-U", SUPERUSER),
                *("-E", "UTF8", "--no-sync"),
            )
            self._pg_ctl_start(scratch)
            self._create_database()
        except BaseException:
            self.stop()
            raise

    def _create_database(self) -> None:
        import psycopg  # Django's PostgreSQL driver (django-duet[scale])

        with psycopg.connect(
            host=LOOPBACK, port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')

    def restart(self) -> None:
        """Stop (fast: open connections are cut) and start on the same port and data."""
        self._pg_ctl_stop()
        self.start()  # the scratch folder is kept: the same data

    def _pg_ctl_stop(self) -> None:
        if self.running and self.scratch is not None:
            self.running = False
            self._run("pg_ctl", "-D", str(self.scratch / "data"), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self._pg_ctl_stop()
        finally:
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
                self.scratch = None


@pytest.fixture(scope="session")
def duet_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL for the session on a free loopback port (``.url``, database ``duet``);
    skips when PostgreSQL's server is not installed."""
    if find_bin_dir() is None:
        pytest.skip(MISSING)
    with PostgresServer() as server:
        yield server
