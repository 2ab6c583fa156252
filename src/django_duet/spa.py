"""Documented path of the single page app preset (lives in ``sessions.spa``)."""

from django_duet.sessions.spa import configure, spa_settings

__all__ = ["configure", "spa_settings"]
