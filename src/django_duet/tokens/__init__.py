"""Tokens for mobile and desktop apps: short-lived signed access tokens, rotating refresh tokens.

The web keeps its cookie sessions; apps that cannot use cookies and CSRF get the same users
through ``token/``, ``token/refresh/`` and ``token/revoke/`` (docs/tokens.md).
"""
