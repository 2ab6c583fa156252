"""Builds swapped in under load, against gunicorn (short: the 60 s version is ``make soak``)."""

from __future__ import annotations

import pytest

from . import swap_load


@pytest.mark.parametrize("mode", ["reload", "production"])
def test_swapping_builds_under_load_breaks_nothing(mode):
    report = swap_load.run(seconds=6, connections=8, swap_every=1.5, mode=mode)
    assert report.ok, report.summary()
    assert report.builds_published >= 4
    if mode == "reload":
        assert len(report.builds_seen) >= 3, report.summary()  # pages followed the swaps
    else:
        assert report.builds_seen == {1}  # each process keeps the build it started with
