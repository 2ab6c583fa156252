"""Documented path of the JSON endpoint helpers (live in ``sessions.jsonapi``)."""

from django_duet.sessions.jsonapi import InvalidRequest, error, json_endpoint, no_store, read_fields

__all__ = ["InvalidRequest", "error", "json_endpoint", "no_store", "read_fields"]
