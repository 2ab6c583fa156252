"""``python -m django_duet init``: works before django_duet is in INSTALLED_APPS (no Django
setup, plain file edits)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from django_duet.cli.init import InitError, apply, plan
from django_duet.cli.init.frameworks import DEFAULT, FRAMEWORKS

NEXT_STEPS = """\
Next:
  pip install "django-duet[devserver]"   # if not done: the dev proxy needs h11
  python manage.py migrate               # django_duet's tables (token revocation)
  cd {frontend} && npm install && cd -   # Vite, {label} and the django-duet Vite plugin
  python manage.py duet dev              # Vite + Django on one origin: open / and /app/
Production: `python manage.py duet build` (builds, checks and collects; docs/production.md)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m django_duet")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser(
        "init",
        help="add a Vite frontend (React, Vue or Svelte) to this Django project (idempotent)",
    )
    init.add_argument("--dir", type=Path, default=Path("."), help="the folder with manage.py")
    init.add_argument("--settings", help="settings module (default: the one manage.py names)")
    init.add_argument("--frontend", default="frontend", help="frontend folder (default: frontend)")
    init.add_argument(
        "--framework",
        default=DEFAULT,
        metavar="|".join(FRAMEWORKS),
        help=f"the frontend's framework (default: {DEFAULT})",
    )
    init.add_argument(
        "--js-package",
        help='npm spec of the django-duet package (default: "^<version>"; e.g. "file:../js")',
    )
    init.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    options = parser.parse_args(argv)
    try:
        project, changes = plan(
            options.dir,
            settings_module=options.settings,
            frontend=options.frontend,
            js_package=options.js_package,
            framework=options.framework,
        )
        if not options.dry_run:
            apply(changes)
    except InitError as exc:
        print(f"django-duet init: {exc}", file=sys.stderr)
        return 2
    for change in changes:
        print(change.describe(project.root))
    if all(c.action in ("unchanged", "kept") for c in changes):
        print("Nothing to change: django-duet is already set up in this project.")
        return 0
    if options.dry_run:
        print("(dry run: nothing was written)")
        return 0
    print(NEXT_STEPS.format(frontend=options.frontend, label=FRAMEWORKS[options.framework].label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
