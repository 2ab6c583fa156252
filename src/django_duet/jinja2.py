"""Jinja2 templates: ``"environment": "django_duet.jinja2.environment"`` in Django's Jinja2
backend, or ``add_globals(env)`` on your own environment (docs/jinja2.md). Needs Jinja2."""

from django_duet.pages.jinja2 import GLOBALS, add_globals, environment

__all__ = ["GLOBALS", "add_globals", "environment"]
