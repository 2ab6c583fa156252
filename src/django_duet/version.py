"""Documented path of the build-id middleware (lives in ``pages.version``)."""

from django_duet.pages.version import BuildIdMiddleware, current_build_id

__all__ = ["BuildIdMiddleware", "current_build_id"]
