"""Documented paths of the production static middleware (lives in ``serving.middleware``) and of
the public files served at a scope (``serving.public_files``)."""

from django_duet.serving.middleware import DuetStaticMiddleware
from django_duet.serving.public_files import PublicFilesMiddleware

__all__ = ["DuetStaticMiddleware", "PublicFilesMiddleware"]
