"""``python manage.py duet <sub>``: a thin dispatcher over ``django_duet.cli``."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_duet.cli import SUBCOMMANDS


class Command(BaseCommand):
    help = "django-duet: " + ", ".join(SUBCOMMANDS) if SUBCOMMANDS else "django-duet"
    requires_system_checks: list[str] = []  # each subcommand decides what it checks

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        subparsers.required = True
        for name, module_name in SUBCOMMANDS.items():
            module = importlib.import_module(f"django_duet.cli.{module_name}")
            sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
            module.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        module = importlib.import_module(f"django_duet.cli.{SUBCOMMANDS[options['subcommand']]}")
        status = module.run(options, self.stdout, self.stderr)
        if status:
            raise CommandError(
                f"duet {options['subcommand']} failed (exit status {status}).", returncode=status
            )
