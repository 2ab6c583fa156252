"""django-duet: a bundler-built frontend and Django as one application."""

__version__ = "0.1.0"
