"""preload_library(): V8's library mapped in a prefork master without starting V8, and the
workers forked from it render with that same mapping."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from django_duet.ssr import preload

pytest.importorskip("py_mini_racer")

# The scripts run in a fresh interpreter: the test process may have started V8 already.
# Their parent's side: the forked worker's exit code, or a failure if it hangs.
AWAIT_WORKER = textwrap.dedent(
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            sys.exit(os.waitstatus_to_exitcode(status))
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.exit("the forked worker hung")
    """
)

SCRIPT = (
    textwrap.dedent(
        """
    import os, sys, time
    from django_duet.ssr.preload import preload_library

    def threads():
        return int(open("/proc/self/status").read().split("Threads:")[1].split()[0])

    def libraries():
        return {l.split()[-1] for l in open("/proc/self/maps") if "mini_racer" in l}

    assert threads() == 1 and not libraries()
    assert preload_library() is True and preload_library() is True
    assert threads() == 1, "preloading must not start V8 (a fork would hang)"
    mapped = libraries()
    assert len(mapped) == 1, mapped
    pid = os.fork()
    if pid == 0:  # a worker: V8 starts here, from the inherited mapping
        from py_mini_racer import MiniRacer
        ok = MiniRacer().eval("6 * 7") == 42 and libraries() == mapped
        os._exit(0 if ok else 3)
    """
    )
    + AWAIT_WORKER
)


def test_a_worker_forked_after_the_preload_renders_with_the_same_library():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_without_mini_racer_nothing_is_loaded(monkeypatch):
    monkeypatch.setattr(preload, "_loaded", [])
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # import fails
    assert preload.preload_library() is False
    assert preload._loaded == []


FORKED_AFTER_V8 = (
    textwrap.dedent(
        """
    import logging, os, sys, time
    from pathlib import Path
    import django
    from django.conf import settings
    settings.configure(INSTALLED_APPS=["django_duet"], DUET={"SSR_BUNDLE": Path(sys.argv[1])})
    django.setup()
    from django_duet.ssr import render_component

    assert "<p>Hello, Ada!</p>" in render_component(None, "Hello", {"name": "Ada"})  # V8 runs
    pid = os.fork()
    if pid == 0:  # a worker forked after V8 started: its copies of V8 must be left alone
        logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
        html = render_component(None, "Hello", {"name": "Bo"})
        ok = 'data-duet-mode="client"' in html and '{"name":"Bo"}' in html
        os._exit(0 if ok else 3)
    """
    )
    + AWAIT_WORKER
)


def test_a_worker_forked_after_v8_started_falls_back_instead_of_hanging():
    bundle = Path(__file__).parents[1] / "fixtures" / "ssr" / "server-bundle.js"
    done = subprocess.run(
        [sys.executable, "-c", FORKED_AFTER_V8, str(bundle)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "V8 was started in process" in done.stdout and "before it forked" in done.stdout
