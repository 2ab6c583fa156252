"""Documented path of the client-routes view (lives in ``pages.client_routes``)."""

from django_duet.pages.client_routes import client_routes

__all__ = ["client_routes"]
