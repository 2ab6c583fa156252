"""The one registry of django-duet's system checks, registered from ``AppConfig.ready()``.

Each subsystem keeps its checks beside what they check (``build/checks.py``, ``dev/checks.py``
...); this module only says which run, under which Django tags.
"""

from __future__ import annotations

from django_duet.build import checks as build_checks  # noqa: F401  (registers with @register)
from django_duet.build import frontends  # noqa: F401  (duet.E110, E111)
from django_duet.build.formats import checks as format_checks  # noqa: F401
from django_duet.dev import checks as dev_checks  # noqa: F401
from django_duet.serving import checks as serving_checks  # noqa: F401
from django_duet.sessions import checks as session_checks  # noqa: F401
from django_duet.sessions import spa_checks  # noqa: F401
from django_duet.ssr import checks as ssr_checks  # noqa: F401
from django_duet.tokens import checks as token_checks  # noqa: F401


def register_checks() -> None:
    """Today the subsystems still register on import (above); the registry replaces that."""
