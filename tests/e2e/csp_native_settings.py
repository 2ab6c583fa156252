"""The example under Django 6's own ContentSecurityPolicyMiddleware instead of django-csp: the
settings that tests/e2e/test_csp_native.py gives its servers, on top of example/settings.py.

The strict policy of docs/csp.md in ``SECURE_CSP`` form. Built on call, never on import:
Django 5.2 has no ``django.utils.csp``.
"""

from __future__ import annotations

import copy
import runpy
from pathlib import Path
from typing import Any

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[2] / "example" / "example" / "settings.py"
NATIVE_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
CONTEXT_PROCESSOR = "django.template.context_processors.csp"


def native_csp_settings(*, dev: bool = False) -> dict[str, Any]:
    """MIDDLEWARE with Django's CSP middleware early (it covers the dev proxy too), the ``csp``
    context processor (Django 6.1 warns, security.W027, without it), and ``SECURE_CSP``."""
    from django.utils.csp import CSP

    example = runpy.run_path(str(EXAMPLE_SETTINGS))  # the example's lists, to extend them
    middleware = [m for m in example["MIDDLEWARE"] if m != "csp.middleware.CSPMiddleware"]
    middleware.insert(1, NATIVE_MIDDLEWARE)
    templates = copy.deepcopy(example["TEMPLATES"])
    templates[0]["OPTIONS"]["context_processors"].append(CONTEXT_PROCESSOR)
    # Plain strings: the generated settings module is written with repr().
    policy = {
        "default-src": [CSP.SELF],
        "script-src": [CSP.NONCE, CSP.STRICT_DYNAMIC],
        "style-src": [CSP.NONCE],
        "img-src": [CSP.SELF, "data:"],
        # In development the HMR socket goes straight to Vite's port on loopback.
        "connect-src": [CSP.SELF, *(["ws://127.0.0.1:*", "ws://localhost:*"] if dev else [])],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
    }
    return {
        "MIDDLEWARE": middleware,
        "TEMPLATES": templates,
        "SECURE_CSP": {name: [str(v) for v in values] for name, values in policy.items()},
    }
