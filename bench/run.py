"""`make bench`: run every benchmark module, print a table, write bench/results.json.

Each run's own figures (ranges included) are also appended as one JSON line to
bench/history.jsonl, so that docs/benchmarks.md can give every recorded run's median and range
(results.json keeps only the latest figures of each benchmark).

A benchmark module is ``bench/bench_<name>.py`` with ``run(quick: bool) -> dict[str, dict]``:
one key per benchmark, each a dict of figures (medians, ratios, the command or setup used).
Figures are only meaningful as ratios measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="only these benchmark modules (e.g. tags)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    results: dict[str, Any] = {
        "_machine": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(),
            "when": time.strftime("%Y-%m-%d %H:%M"),
        },
    }
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if args.names and name not in args.names:
            continue
        print(f"== {name}", flush=True)
        try:
            results.update(load(path).run(quick=args.quick))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"   failed: {exc}", flush=True)
    with (HERE / "history.jsonl").open("a") as history:
        history.write(json.dumps(results, sort_keys=True) + "\n")
    out = HERE / "results.json"
    if args.names and out.exists():  # a partial run keeps the other benchmarks' figures
        results = {**json.loads(out.read_text()), **results}
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print()
    for key, figures in results.items():
        if key.startswith("_"):
            continue
        shown = ", ".join(f"{k}={shown_value(v)}" for k, v in figures.items() if shown_value(v))
        print(f"{key:32} {shown}")
    print(f"\nwritten: {out}")
    return 1 if failed else 0


def shown_value(value: object) -> str:
    """A figure as printed: numbers and words, a range as lowest-highest; "" for the rest."""
    if isinstance(value, (int, float, str)):
        return str(value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) for v in value)
    ):
        return f"{value[0]}-{value[1]}"
    return ""


if __name__ == "__main__":
    raise SystemExit(main())
