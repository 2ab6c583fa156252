"""``python -m django_duet init``: adds a Vite frontend (React, Vue or Svelte:
``--framework``) to an existing Django project.

Plain file edits, no Django import: it runs before django_duet is in INSTALLED_APPS.
"""

from django_duet.cli.init.plan import Change, InitError, apply, plan

__all__ = ["Change", "InitError", "apply", "plan"]
