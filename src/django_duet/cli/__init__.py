"""Subcommands of ``python manage.py duet <sub>``: one module per subcommand.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(options, stdout,
stderr) -> int`` (the exit status). Register new ones in ``SUBCOMMANDS``.
"""

from __future__ import annotations

# name on the command line -> module in this package
SUBCOMMANDS: dict[str, str] = {
    "build": "build",
    "check-build": "check_build",
    "dev": "dev",
    "nginx-config": "nginx_config",
    "types": "types",
}
