"""Soak: 64 connections for 60 s against gunicorn while a new build is swapped in every 5 s.

Zero 5xx, zero transport errors, every page naming one build, every asset it names served.
Run by ``make soak``; ``python bench/soak_swap.py --seconds 10`` for a quick look. The short
version runs in CI: tests/faults/test_swap_load.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.swap_site")

from tests.faults import swap_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--swap-every", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--mode",
        choices=["reload", "production", "both"],
        default="both",
        help="reload: DEV_MODE picks each new build up; production: loaded once per process",
    )
    args = parser.parse_args()
    modes = ["reload", "production"] if args.mode == "both" else [args.mode]
    failed = False
    for mode in modes:
        print(
            f"soak_swap [{mode}]: {args.connections} connections, {args.seconds:g} s, "
            f"a new build every {args.swap_every:g} s",
            flush=True,
        )
        report = swap_load.run(
            seconds=args.seconds,
            connections=args.connections,
            swap_every=args.swap_every,
            mode=mode,
            workers=args.workers,
        )
        print(report.summary(), flush=True)
        failed |= not report.ok
    print("soak_swap: FAILED" if failed else "soak_swap: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
