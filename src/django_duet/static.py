"""Documented path of the production static middleware (lives in ``serving.middleware``)."""

from django_duet.serving.middleware import DuetStaticMiddleware

__all__ = ["DuetStaticMiddleware"]
