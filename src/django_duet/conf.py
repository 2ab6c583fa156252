"""Settings, read from the ``DUET`` dict on every access (so ``override_settings`` just works).

Values are only read here; the system checks (each subsystem's ``checks.py``, registered by
``django_duet/checks.py``) validate them, reading the unvalidated value with ``Settings.raw``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_FRONTEND = "default"
# The settings each frontend has its own of: in DUET["FRONTENDS"][name] (docs/frontends.md);
# the flat keys are those of the frontend named "default". Everything else is shared.
FRONTEND_KEYS = frozenset(
    {
        "FRONTEND_DIR",
        "BUILD_DIR",
        "MANIFEST_PATH",
        "MANIFEST_FORMAT",
        "STATIC_PREFIX",
        "HOT_FILE",
        "SSR_BUNDLE",
        "TYPES_DIR",
        "OPENAPI",
        "PUBLIC_FILES",
    }
)

DEFAULTS: dict[str, Any] = {
    "FRONTENDS": {},  # {"admin": {"FRONTEND_DIR": ..., "STATIC_PREFIX": "admin/"}, ...}
    "FRONTEND_DIR": None,  # BASE_DIR / "frontend"
    "BUILD_DIR": None,  # FRONTEND_DIR / "dist"
    "MANIFEST_PATH": None,  # BUILD_DIR / the format's file (formats.DEFAULT_NAMES)
    "MANIFEST_FORMAT": None,  # formats.FORMATS: "vite", "webpack"...; None: detected from the file
    "STATIC_PREFIX": "",
    "TYPES_DIR": None,  # FRONTEND_DIR / "src" / "duet": `duet types` writes there (docs/types.md)
    "OPENAPI": {},  # {"api": "drf-spectacular" or a dotted path}: `duet types`' API types
    "VALIDATE_PROPS": None,  # check props against their @props declaration; None: with DEBUG
    "DEV_MODE": None,  # follows DEBUG
    "SERVE_SOURCE_MAPS": False,
    "SRI": None,  # integrity= on every tag; None: on when STATIC_URL is on another origin
    "CROSSORIGIN": None,  # None: "anonymous" when STATIC_URL is on another origin, else absent
    # Pages that load fast (docs/performance.md)
    "PREFETCH": None,  # None/False: off; "waterfall" or "aggressive": lazy chunks after `load`
    "PREFETCH_CONCURRENCY": 3,  # files fetched at a time by the "waterfall" prefetch
    "LINK_HEADER_MAX_BYTES": 2048,  # LinkHeaderMiddleware's cap on the Link header's value
    "LINK_HEADER_MODULES": False,  # the header's module preloads too (for 103 Early Hints)
    # Development behind Django's origin (docs/development.md)
    "HOT_FILE": None,  # FRONTEND_DIR / ".duet-hot", written by the Vite plugin while it runs
    "DEV_PROXY_TIMEOUT": 30.0,  # seconds the dev proxy waits for the dev server to answer
    # "proxy": the page's modules through Django's origin; "direct": straight from Vite's port
    "DEV_ASSETS": "proxy",
    "DEV_COMMANDS": {},  # {"tailwind": "npx tailwindcss ... --watch"}: `duet dev` runs them too
    # Public files served at a scope, not under STATIC_URL (docs/public-files.md)
    "PUBLIC_FILES": {},  # {"mockServiceWorker.js": "/app/", "robots.txt": "/"}
    # Cookie sessions and the single page app model (docs/sessions-and-csrf.md)
    "SPA_ORIGINS": [],
    "API_ORIGIN": None,  # checks fall back to ALLOWED_HOSTS
    "USER_SERIALIZER": None,  # "dotted.path" to a function(user) -> dict
    "LOGIN_FAILURES_PER_USERNAME": 5,
    "LOGIN_FAILURES_PER_IP": 50,
    "LOGIN_THROTTLE_WINDOW": 900,  # seconds
    "LOGIN_THROTTLE_CACHE": "default",
    "CLIENT_IP_HEADER": None,  # e.g. "X-Forwarded-For", only behind a proxy that sets it
    "CLIENT_IP_PROXY_COUNT": 1,
    # Tokens for mobile and desktop apps (docs/tokens.md); checked by duet.E050-E069
    "TOKEN_SIGNING_KEYS": [],  # [{"kid", "algorithm", "key", "verify_until"?}], first one signs
    "TOKEN_ISSUER": "django-duet",
    "TOKEN_AUDIENCE": "django-duet",
    "TOKEN_ACCESS_LIFETIME": 300,  # seconds
    "TOKEN_REFRESH_LIFETIME": 14 * 24 * 3600,  # seconds since the last refresh
    "TOKEN_REFRESH_MAX_AGE": 90 * 24 * 3600,  # seconds since the login; None: no limit
    "TOKEN_LEEWAY": 30,  # seconds of clock skew allowed on exp/nbf/iat
    # Server-side rendering in V8 (docs/ssr.md); checked by duet.E070-E089
    "SSR_ENABLED": True,  # False: every {% duet_render %} renders in the browser
    "SSR_TIMEOUT_MS": 1000,  # per render; over it the render is interrupted, the page falls back
    "SSR_HEAP_MB": 256,  # V8 heap per context; over it likewise
    # V8's young generation: at most this many MB per semi-space (V8's flag, once per process).
    # 4: the same speed for pages up to 1,000 rows, 5 MB less per worker (docs/ssr.md); None:
    # V8's own default (8 here), for pages of many thousands of rows.
    "SSR_SEMI_SPACE_MB": 4,
    # The props' JSON a server render may take; over it the component renders in the browser.
    # V8 holds the JSON, the parsed props and the HTML: 60 MB of props took 1.1 GB.
    "SSR_MAX_PROPS_BYTES": 2 * 1024 * 1024,
    "SSR_BUNDLE": None,  # a server bundle file; None: the one BUILD_DIR/.vite/duet-ssr.json names
}


def _user() -> dict[str, Any]:
    return getattr(settings, "DUET", None) or {}


def _frontends() -> dict[str, Any]:
    value = _user().get("FRONTENDS") or {}
    return value if isinstance(value, dict) else {}  # duet.E110 reports a wrong type


class Settings:
    """Typed access to ``settings.DUET``; one property per documented setting.

    ``conf`` is the "default" frontend's view; ``conf.frontend("admin")`` is another frontend's:
    the same properties, FRONTEND_KEYS read from ``DUET["FRONTENDS"]["admin"]``.
    """

    def __init__(self, name: str = DEFAULT_FRONTEND) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<django-duet frontend {self.name!r}>"

    def raw(self, name: str) -> Any:
        """The value as written in ``DUET`` (or its default), unvalidated and unconverted.

        For the system checks that validate it; everything else reads the typed properties.
        """
        user = _user()
        if name in FRONTEND_KEYS:
            own = _frontends().get(self.name)
            if isinstance(own, dict) and name in own:
                return own[name]
            if self.name != DEFAULT_FRONTEND:
                return DEFAULTS[name]  # a named frontend never borrows the default's paths
        return user.get(name, DEFAULTS[name])

    def is_set(self, name: str) -> bool:
        """Whether ``DUET`` spells out the shared setting ``name`` (a default is not set)."""
        return name in _user()

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_FRONTEND

    def frontend(self, name: str | None = None) -> Settings:
        """The settings of the frontend ``name`` (None: "default"); a clear error if unknown."""
        if name is None or name == DEFAULT_FRONTEND:
            return conf
        if name not in _frontends():  # read each time: override_settings may add or drop one
            raise ImproperlyConfigured(
                f"There is no frontend named {name!r}: the frontends are "
                f"{', '.join(map(repr, frontend_names()))}. Add it to DUET['FRONTENDS'] "
                "(docs/frontends.md) or fix the name."
            )
        found = _named.get(name)
        if found is None:
            found = _named[name] = Settings(name)
        return found

    @property
    def FRONTEND_DIR(self) -> Path:
        value = self.raw("FRONTEND_DIR")
        if value is not None:
            return Path(value)
        if not self.is_default:
            raise ImproperlyConfigured(
                f"DUET['FRONTENDS'][{self.name!r}] has no FRONTEND_DIR: set it to the directory "
                "of that frontend's package.json."
            )
        base_dir = getattr(settings, "BASE_DIR", None)
        if base_dir is None:
            raise ImproperlyConfigured(
                'django-duet cannot find the frontend: set DUET = {"FRONTEND_DIR": BASE_DIR / '
                '"frontend"} (or BASE_DIR) in your settings.'
            )
        return Path(base_dir) / "frontend"

    @property
    def BUILD_DIR(self) -> Path:
        value = self.raw("BUILD_DIR")
        return Path(value) if value is not None else self.FRONTEND_DIR / "dist"

    @property
    def TYPES_DIR(self) -> Path:
        value = self.raw("TYPES_DIR")
        return Path(value) if value is not None else self.FRONTEND_DIR / "src" / "duet"

    @property
    def OPENAPI(self) -> dict[str, Any]:
        """Name -> the source of each OpenAPI document typed for this frontend (docs/types.md)."""
        value = self.raw("OPENAPI")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def MANIFEST_PATH(self) -> Path:
        value = self.raw("MANIFEST_PATH")
        if value is not None:
            return Path(value)
        from django_duet.build.formats import default_manifest_path

        return default_manifest_path(self.BUILD_DIR, self.MANIFEST_FORMAT)

    @property
    def MANIFEST_FORMAT(self) -> str | None:
        """Validated by duet.E100; None detects the format from the manifest itself."""
        value = self.raw("MANIFEST_FORMAT")
        return None if value is None else str(value)

    @property
    def STATIC_PREFIX(self) -> str:
        """Where the build lives under STATIC_URL: "" or "sub/path/"."""
        value = str(self.raw("STATIC_PREFIX") or "").strip("/")
        return f"{value}/" if value else ""

    @property
    def DEV_MODE(self) -> bool:
        value = self.raw("DEV_MODE")
        return bool(settings.DEBUG) if value is None else bool(value)

    @property
    def SERVE_SOURCE_MAPS(self) -> bool:
        return bool(self.raw("SERVE_SOURCE_MAPS"))

    @property
    def HOT_FILE(self) -> Path:
        value = self.raw("HOT_FILE")
        return Path(value) if value is not None else self.FRONTEND_DIR / ".duet-hot"

    @property
    def DEV_PROXY_TIMEOUT(self) -> float:
        # Validated by duet.E030; a bad value falls back to the default here.
        value = self.raw("DEV_PROXY_TIMEOUT")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return float(DEFAULTS["DEV_PROXY_TIMEOUT"])
        return float(value)

    @property
    def DEV_ASSETS(self) -> str:
        """ "proxy" or "direct" (validated by duet.E033; anything else is "proxy")."""
        return "direct" if self.raw("DEV_ASSETS") == "direct" else "proxy"

    @property
    def DEV_COMMANDS(self) -> dict[str, Any]:
        # Validated by duet.E032; dev.commands reads each entry.
        value = self.raw("DEV_COMMANDS")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def PUBLIC_FILES(self) -> dict[str, Any]:
        # Validated by duet.E130; serving.public_files keeps only the valid entries.
        value = self.raw("PUBLIC_FILES")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def SPA_ORIGINS(self) -> list[str]:
        return list(self.raw("SPA_ORIGINS") or [])

    @property
    def API_ORIGIN(self) -> str | None:
        value = self.raw("API_ORIGIN")
        return str(value) if value else None

    @property
    def USER_SERIALIZER(self) -> str | None:
        return self.raw("USER_SERIALIZER")  # type: ignore[no-any-return]

    def _count(self, name: str, minimum: int) -> int:
        # Validated by duet.E019; a bad value falls back to the default (the throttle stays on).
        value = self.raw(name)
        if value is None and minimum == 0:
            return 0  # None, like 0, turns a limit off
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            return int(DEFAULTS[name])
        return value

    @property
    def LOGIN_FAILURES_PER_USERNAME(self) -> int:
        return self._count("LOGIN_FAILURES_PER_USERNAME", minimum=0)

    @property
    def LOGIN_FAILURES_PER_IP(self) -> int:
        return self._count("LOGIN_FAILURES_PER_IP", minimum=0)

    @property
    def LOGIN_THROTTLE_WINDOW(self) -> int:
        return self._count("LOGIN_THROTTLE_WINDOW", minimum=1)

    @property
    def LOGIN_THROTTLE_CACHE(self) -> str:
        return str(self.raw("LOGIN_THROTTLE_CACHE"))

    @property
    def CLIENT_IP_HEADER(self) -> str | None:
        value = self.raw("CLIENT_IP_HEADER")
        return str(value) if value else None

    @property
    def CLIENT_IP_PROXY_COUNT(self) -> int:
        return self._count("CLIENT_IP_PROXY_COUNT", minimum=1)

    # Token settings: converted here, validated by the checks in tokens/checks.py.
    @property
    def TOKEN_SIGNING_KEYS(self) -> list[Any]:
        return list(self.raw("TOKEN_SIGNING_KEYS") or [])

    @property
    def TOKEN_ISSUER(self) -> str:
        return str(self.raw("TOKEN_ISSUER"))

    @property
    def TOKEN_AUDIENCE(self) -> str:
        return str(self.raw("TOKEN_AUDIENCE"))

    @property
    def TOKEN_ACCESS_LIFETIME(self) -> int:
        return int(self.raw("TOKEN_ACCESS_LIFETIME"))

    @property
    def TOKEN_REFRESH_LIFETIME(self) -> int:
        return int(self.raw("TOKEN_REFRESH_LIFETIME"))

    @property
    def TOKEN_REFRESH_MAX_AGE(self) -> int | None:
        value = self.raw("TOKEN_REFRESH_MAX_AGE")
        return None if value is None else int(value)

    @property
    def TOKEN_LEEWAY(self) -> int:
        return int(self.raw("TOKEN_LEEWAY"))

    @property
    def STATIC_ON_OTHER_ORIGIN(self) -> bool:
        return "://" in str(settings.STATIC_URL or "") or str(settings.STATIC_URL or "").startswith(
            "//"
        )

    @property
    def SRI(self) -> bool:
        value = self.raw("SRI")
        return self.STATIC_ON_OTHER_ORIGIN if value is None else bool(value)

    @property
    def CROSSORIGIN(self) -> str | None:
        """The crossorigin attribute: "" (anonymous), "use-credentials", or None for none."""
        value = self.raw("CROSSORIGIN")
        if value is None:
            return "" if self.STATIC_ON_OTHER_ORIGIN else None
        if value is False:
            return None
        return "" if value in (True, "anonymous") else str(value)

    @property
    def PREFETCH(self) -> str | None:
        """ "waterfall", "aggressive" or None (off); anything else is off."""
        value = self.raw("PREFETCH")
        return value if value in ("waterfall", "aggressive") else None

    @property
    def PREFETCH_CONCURRENCY(self) -> int:
        return self._count("PREFETCH_CONCURRENCY", minimum=1)

    @property
    def LINK_HEADER_MAX_BYTES(self) -> int:
        return self._count("LINK_HEADER_MAX_BYTES", minimum=0)

    @property
    def LINK_HEADER_MODULES(self) -> bool:
        # Validated by duet.E144: only True turns the module preloads on.
        return self.raw("LINK_HEADER_MODULES") is True

    # SSR budgets are validated by duet.E070/E071; a bad value falls back to the default here.
    @property
    def SSR_ENABLED(self) -> bool:
        return bool(self.raw("SSR_ENABLED"))

    @property
    def SSR_TIMEOUT_MS(self) -> float:
        value = self.raw("SSR_TIMEOUT_MS")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return float(DEFAULTS["SSR_TIMEOUT_MS"])
        return float(value)

    @property
    def SSR_HEAP_MB(self) -> int:
        value = self.raw("SSR_HEAP_MB")
        if isinstance(value, bool) or not isinstance(value, int) or value < 16:
            return int(DEFAULTS["SSR_HEAP_MB"])
        return value

    @property
    def SSR_SEMI_SPACE_MB(self) -> int | None:
        value = self.raw("SSR_SEMI_SPACE_MB")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
            return int(DEFAULTS["SSR_SEMI_SPACE_MB"])
        return value

    @property
    def SSR_MAX_PROPS_BYTES(self) -> int:
        value = self.raw("SSR_MAX_PROPS_BYTES")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return int(DEFAULTS["SSR_MAX_PROPS_BYTES"])
        return value

    @property
    def SSR_BUNDLE(self) -> Path | None:
        value = self.raw("SSR_BUNDLE")
        return Path(value) if value else None


conf = Settings()
_named: dict[str, Settings] = {}


def frontend_names() -> list[str]:
    """ "default" first, then the named frontends in the order the settings list them."""
    return [DEFAULT_FRONTEND] + [name for name in _frontends() if name != DEFAULT_FRONTEND]


def all_frontends() -> list[Settings]:
    return [conf.frontend(name) for name in frontend_names()]
