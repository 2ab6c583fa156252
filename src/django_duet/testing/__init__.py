"""Helpers for testing a django-duet app for real: servers on free loopback ports, browsers."""
