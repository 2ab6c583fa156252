"""Documented path of the development proxy middleware (lives in ``dev.proxy``)."""

from django_duet.dev.proxy import DevProxyMiddleware

__all__ = ["DevProxyMiddleware"]
