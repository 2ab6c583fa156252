"""Documented path of the S3 staticfiles storage (lives in ``serving.s3``)."""

from django_duet.serving.s3 import DuetS3StaticStorage

__all__ = ["DuetS3StaticStorage"]
