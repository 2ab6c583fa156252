"""Which mini-racer the fast call path trusts, and who started V8 with which flags."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest

from django_duet.ssr import v8

pytest.importorskip("py_mini_racer")


def test_the_fast_path_is_taken_with_the_version_it_was_checked_against():
    assert importlib.metadata.version("mini-racer") in v8.FAST_PATH_VERSIONS
    racer = v8.Racer()
    try:
        assert racer.fast is True
    finally:
        racer.close()


@pytest.mark.parametrize("version", ["0.14.2", "0.14.10", "0.15.0", "1.0.0"])
def test_any_other_version_takes_the_public_api(monkeypatch, version):
    # Its internals may differ even in a patch release: the same answers, slower.
    monkeypatch.setattr(importlib.metadata, "version", lambda name: version)
    v8._known_version.cache_clear()
    try:
        racer = v8.Racer()
        try:
            assert racer.fast is False
            assert racer.eval("'du' + 'et'", 5) == "duet"
        finally:
            racer.close()
    finally:
        v8._known_version.cache_clear()


FIRST_CONTEXT = textwrap.dedent(
    """
    import logging
    from django.conf import settings
    settings.configure(DUET={{}})
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    {before}
    from django_duet.ssr.v8 import Racer
    racer = Racer()
    print(racer.eval("1 + 1", 10))
    racer.close()  # left open, mini-racer 0.14's __del__ hangs Python 3.13's exit
    """
)


def first_context(before: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", FIRST_CONTEXT.format(before=before)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip


def test_a_mini_racer_started_before_django_duet_is_a_warning_that_says_what_to_do():
    # V8's flags are set once per process: a MiniRacer made first leaves django-duet's out.
    done = first_context("from py_mini_racer import MiniRacer\nMiniRacer().eval('0')")
    assert done.stdout == "2\n"
    [line] = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert line.startswith(
        "WARNING django_duet.ssr: mini-racer was initialised before django-duet's first V8 "
        "context, so V8 runs without django-duet's flags (--min-semi-space-size=4 "
        "--max-semi-space-size=4)"
    )
    assert "init_mini_racer(flags=django_duet.ssr.v8.v8_flags())" in line


def test_django_duet_starting_v8_itself_warns_about_nothing():
    done = first_context("")
    assert done.stdout == "2\n"
    assert "WARNING" not in done.stderr
