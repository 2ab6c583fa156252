"""Documented path of the engine-neutral tag functions (live in ``pages.render``)."""

from django_duet.pages.render import asset_url, csp_nonce, render_entries

__all__ = ["asset_url", "csp_nonce", "render_entries"]
