"""`make bench`: run every benchmark module, print a table, write bench/results.json.

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
    out = HERE / "results.json"
    if args.names and out.exists():  # a partial run keeps the other benchmarks' figures
        results = {**json.loads(out.read_text()), **results}
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print()
    for key, figures in results.items():
        if key.startswith("_"):
            continue
        plain = (int, float, str)
        shown = ", ".join(f"{k}={v}" for k, v in figures.items() if isinstance(v, plain))
        print(f"{key:32} {shown}")
    print(f"\nwritten: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
