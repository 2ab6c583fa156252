"""Settings, read from the ``DUET`` dict on every access (so ``override_settings`` just works).

Values are only read here; they are validated by the system checks in ``checks.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, Any] = {
    "FRONTEND_DIR": None,  # BASE_DIR / "frontend"
    "BUILD_DIR": None,  # FRONTEND_DIR / "dist"
    "MANIFEST_PATH": None,  # BUILD_DIR / ".vite" / "manifest.json"
    "STATIC_PREFIX": "",
    "DEV_MODE": None,  # follows DEBUG
    "SERVE_SOURCE_MAPS": False,
}


class Settings:
    """Typed access to ``settings.DUET``; one property per documented setting."""

    def _get(self, name: str) -> Any:
        user: dict[str, Any] = getattr(settings, "DUET", None) or {}
        return user.get(name, DEFAULTS[name])

    @property
    def FRONTEND_DIR(self) -> Path:
        value = self._get("FRONTEND_DIR")
        if value is not None:
            return Path(value)
        base_dir = getattr(settings, "BASE_DIR", None)
        if base_dir is None:
            raise ImproperlyConfigured(
                'django-duet cannot find the frontend: set DUET = {"FRONTEND_DIR": BASE_DIR / '
                '"frontend"} (or BASE_DIR) in your settings.'
            )
        return Path(base_dir) / "frontend"

    @property
    def BUILD_DIR(self) -> Path:
        value = self._get("BUILD_DIR")
        return Path(value) if value is not None else self.FRONTEND_DIR / "dist"

    @property
    def MANIFEST_PATH(self) -> Path:
        value = self._get("MANIFEST_PATH")
        return Path(value) if value is not None else self.BUILD_DIR / ".vite" / "manifest.json"

    @property
    def STATIC_PREFIX(self) -> str:
        """Where the build lives under STATIC_URL: "" or "sub/path/"."""
        value = str(self._get("STATIC_PREFIX") or "").strip("/")
        return f"{value}/" if value else ""

    @property
    def DEV_MODE(self) -> bool:
        value = self._get("DEV_MODE")
        return bool(settings.DEBUG) if value is None else bool(value)

    @property
    def SERVE_SOURCE_MAPS(self) -> bool:
        return bool(self._get("SERVE_SOURCE_MAPS"))


conf = Settings()
