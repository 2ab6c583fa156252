"""Shared helpers of the benchmarks: timing, wrk, a deployed copy of the example, RSS.

Every server runs on 127.0.0.1 on a free port through ``django_duet.testing``; every load loop
is bounded in time (wrk's ``-d``) or in count.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example"
FRONTEND = EXAMPLE / "frontend"
BUILD = FRONTEND / "dist"
PLUGIN = ROOT / "js" / "dist" / "vite.js"
BIN = Path(sys.executable).parent
# django-vite, for comparison only: installed by `make bench` outside the project's deps.
BENCH_DEPS = ROOT / ".venv" / "bench-deps"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def r(value: float, digits: int = 2) -> float:
    return round(float(value), digits)


def per_call_us(fn: Callable[[], Any], number: int, repeat: int) -> float:
    """Median over ``repeat`` runs of the µs per call of ``number`` calls."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number * 1e6)
    return median(runs)


# --- wrk -------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    transfer_mb_s: float


def parse_wrk(out: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    mb = 0.0
    if transfer:
        scale = {"B": 1 / 2**20, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0}.get(transfer.group(2), 0)
        mb = float(transfer.group(1)) * scale
    return WrkResult(
        rps=rps,
        p50_ms=p50,
        p99_ms=p99,
        requests=requests,
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors=sum(int(g) for g in sock.groups()) if sock else 0,
        transfer_mb_s=mb,
    )


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is missing: `make bench` installs Debian's wrk package")
    return found


def wrk_command(
    url: str,
    *,
    threads: int = 2,
    connections: int = 32,
    seconds: float = 5,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> list[str]:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"benchmarks only target loopback, not {url}")
    command = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    return [*command, url]


def wrk(url: str, **options: Any) -> WrkResult:
    seconds = float(options.get("seconds", 5))
    out = subprocess.run(
        wrk_command(url, **options),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    return parse_wrk(out)


# --- the example, deployed ---------------------------------------------------------------------


def example_env(scratch: Path) -> dict[str, str]:
    """A production deploy of the example as tests/e2e/conftest.py makes it."""
    if not (BUILD / ".vite" / "manifest.json").exists():
        raise RuntimeError(f"no example build in {BUILD}: run `make frontend` (make bench does)")
    env = {
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-secret-key-" + "s" * 40,
        "DUET_EXAMPLE_DB": str(scratch / "db.sqlite3"),
        "DUET_EXAMPLE_STATIC_ROOT": str(scratch / "static"),
    }
    for args in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=EXAMPLE,
            env={**os.environ, **env},
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )
    return env


def nginx_config(env: dict[str, str], upstreams: Sequence[int], brotli: bool = True) -> str:
    args = [sys.executable, "manage.py", "duet", "nginx-config"]
    if brotli:
        args.append("--brotli")
    for port in upstreams:
        args += ["--upstream", f"127.0.0.1:{port}"]
    return subprocess.run(
        args,
        cwd=EXAMPLE,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def gunicorn_command(
    port: int, *, workers: int, threads: int = 1, klass: str = "sync"
) -> list[str]:
    return [
        str(BIN / "gunicorn"), "example.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", klass,
    ]  # fmt: skip


def uvicorn_command(port: int, *, workers: int = 1) -> list[str]:
    return [
        str(BIN / "uvicorn"), "example.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--workers", str(workers),
    ]  # fmt: skip


# --- processes ---------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def wait_children(pid: int, count: int, timeout: float = 20.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = children(pid)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise RuntimeError(f"process {pid} has {children(pid)} children, expected {count}")


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = found.group(1) if found else ""
    return {"cpus": os.cpu_count(), "cpu": model}
