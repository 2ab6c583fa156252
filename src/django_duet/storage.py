"""Documented path of the staticfiles storage (lives in ``serving.storage``)."""

from django_duet.serving.storage import DuetStaticFilesStorage, KeepBundlerNamesMixin

__all__ = ["DuetStaticFilesStorage", "KeepBundlerNamesMixin"]
