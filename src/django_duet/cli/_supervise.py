"""Run a few servers as one: prefixed output, and when one stops (or Ctrl-C), all stop.

Each child runs in its own process group (session), so that stopping it reaches everything it
started (npm -> node, runserver's reloader -> its worker). On Linux each child also gets
SIGTERM should this process die without cleaning up (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

STOP_TIMEOUT = 8.0  # seconds for a graceful stop before SIGKILL
POLL_INTERVAL = 0.2


@dataclass
class Child:
    name: str
    command: Sequence[str]
    cwd: Path
    env: Mapping[str, str]
    keep_stdin_open: bool = False  # Vite stops when its stdin closes: a graceful stop
    may_finish: bool = False  # a status 0 ends only this child (a one-off DEV_COMMANDS step)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)


def _death_signal() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not after fork
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:  # pragma: no cover - runs in the child before exec
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return set_death_signal


@contextlib.contextmanager
def _stop_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP set ``stop`` (only the main thread can install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.getsignal(sig) for sig in handled}
    for sig in handled:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Supervisor:
    def __init__(self, children: Sequence[Child], write: Callable[[str], None]) -> None:
        self.children = list(children)
        self._write = write
        self._lock = threading.Lock()
        self._pumps: list[threading.Thread] = []
        self.width = max(len(name) for name in [*(c.name for c in self.children), "duet"])

    def say(self, name: str, line: str) -> None:
        with self._lock:
            self._write(f"[{name}]".ljust(self.width + 3) + line)

    def _pump(self, child: Child, stream: IO[bytes]) -> None:
        with stream:
            for raw in iter(stream.readline, b""):
                self.say(child.name, raw.decode("utf-8", "replace").rstrip("\r\n"))

    def start(self) -> None:
        preexec = _death_signal()
        # Every child is started before any output thread: no fork while threads run.
        for child in self.children:
            child.process = subprocess.Popen(
                list(child.command),
                cwd=child.cwd,
                env=dict(child.env),
                stdin=subprocess.PIPE if child.keep_stdin_open else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec,
            )
        for child in self.children:
            stdout = child.process.stdout if child.process is not None else None
            if stdout is None:  # pragma: no cover - stdout=PIPE always gives one
                continue
            pump = threading.Thread(target=self._pump, args=(child, stdout), daemon=True)
            pump.start()
            self._pumps.append(pump)

    def wait(self, stop: threading.Event) -> tuple[Child | None, int]:
        """Until a child exits (returns it and its status) or ``stop`` is set (None, 0)."""
        finished: set[str] = set()
        while not stop.wait(POLL_INTERVAL):
            for child in self.children:
                if child.name in finished:
                    continue
                status = child.process.poll() if child.process else 0
                if status == 0 and child.may_finish:
                    finished.add(child.name)
                    self.say("duet", f"{child.name} finished (status 0); the others go on")
                elif status is not None:
                    return child, status
        return None, 0

    def stop(self) -> None:
        for child in self.children:
            process = child.process
            if process is None or process.poll() is not None:
                continue
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()  # Vite: a graceful stop (and its hot file goes)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for child in self.children:
            process = child.process
            if process is None:
                continue
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.say("duet", f"{child.name} did not stop within {STOP_TIMEOUT:g} s: killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(STOP_TIMEOUT)
            # The group may outlive its leader (a grandchild that ignored SIGTERM).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        for pump in self._pumps:
            pump.join(STOP_TIMEOUT)


def run_all(children: Sequence[Child], write: Callable[[str], None]) -> int:
    """Runs the children until one stops or Ctrl-C; stops them all; returns the exit status."""
    supervisor = Supervisor(children, write)
    stop = threading.Event()
    try:
        # From before the first child starts: a Ctrl-C while they start is a stop like any other.
        with _stop_signals(stop):
            supervisor.start()
            ended, status = supervisor.wait(stop)
    finally:
        supervisor.stop()
    if ended is None:
        supervisor.say("duet", "stopped")
        return 0
    others = ", ".join(c.name for c in children if c is not ended)
    supervisor.say("duet", f"{ended.name} exited with status {status}: stopped {others}")
    return status or 1
