"""System checks of the generated TypeScript: duet.W120 (stale)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning

from django_duet.conf import all_frontends
from django_duet.contract.output import Contract, generated_files, refreshed


def check_types_current(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Only for frontends that have generated files: a project that never ran ``duet types``
    is not told about them. Frontends that ``duet dev`` refreshed in this process are current."""
    messages: list[CheckMessage] = []
    contract = Contract()
    for frontend in all_frontends():
        try:
            if frontend.TYPES_DIR in refreshed:
                refreshed.discard(frontend.TYPES_DIR)  # just written by duet dev: current
                continue
            if not frontend.TYPES_DIR.is_dir():
                continue
            files = generated_files(frontend, contract)
        except Exception:  # a broken URLconf or frontend is reported by its own check
            continue
        stale = [f for f in files if f.path.exists() and not f.current]
        if stale:
            names = ", ".join(str(f.path) for f in stale)
            messages.append(
                Warning(
                    f"The generated TypeScript is stale: {names} no longer matches the project "
                    "(its URLconf, @props declarations or API schemas).",
                    hint="Run `python manage.py duet types` (duet dev and duet build run it) and "
                    "commit the result if you commit generated files; CI can run "
                    "`python manage.py duet types --check`.",
                    id="duet.W120",
                )
            )
    return messages
