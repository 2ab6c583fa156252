"""Helpers that tests in several folders share (fixtures live in the conftest files)."""

from __future__ import annotations

import stat
from pathlib import Path

from django.core.checks import CheckMessage, run_checks
from django.template import Context, Template


def render_template(source: str, **context: object) -> str:
    """``source`` rendered as a template with ``{% load duet %}`` first."""
    return Template("{% load duet %}" + source).render(Context(context))


def fake_npm(bin_dir: Path, script: str) -> None:
    """An ``npm`` in ``bin_dir`` that runs the shell ``script`` (put ``bin_dir`` first on PATH)."""
    bin_dir.mkdir(exist_ok=True)
    npm = bin_dir / "npm"
    npm.write_text("#!/bin/sh\n" + script)
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)


def duet_messages(include_deployment_checks: bool = True) -> list[CheckMessage]:
    """django-duet's system check messages (``manage.py check``, with ``--deploy`` by default)."""
    messages = run_checks(include_deployment_checks=include_deployment_checks)
    return [m for m in messages if m.id and m.id.startswith("duet.")]


def duet_check_ids(include_deployment_checks: bool = True) -> list[str]:
    """The ids of django-duet's system check messages, sorted."""
    return sorted(m.id or "" for m in duet_messages(include_deployment_checks))
