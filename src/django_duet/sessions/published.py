"""Keys that were published, so are no secret: the example's fallbacks, Django's insecure ones.

``check --deploy`` refuses them as SECRET_KEY, in SECRET_KEY_FALLBACKS (duet.E024) and as token
signing keys (duet.E059): whoever holds one can sign sessions, password reset links and access
tokens. Values are kept as SHA-256 digests: the list finds the keys without repeating them.
"""

from __future__ import annotations

import hashlib

from django.core.checks.security.base import SECRET_KEY_INSECURE_PREFIX

PUBLISHED_SHA256 = frozenset(
    {
        # The example's SECRET_KEY fallback (example/example/settings.py), and its earlier value
        "e0bb6895bd300a53117edb8452e7777aae1f79c1cbbe2be40b6a5a63a1376639",
        "8f4ca96e6c7835387d95bf8b901d5860278a0d96821ed96ac556c01562c94a2b",
        # The example's DUET_TOKEN_KEY fallback
        "1012d50763b9ddd118867703a771167372e31d64f02c7413c53cf926a59a07c9",
        # The DJANGO_SECRET_KEY the benchmarks run the example with (bench/benchlib.py)
        "5ebf095562d66963e0d7dde1147a634bca542000177437d203a2760508a5e743",
    }
)


def is_published(key: object) -> bool:
    """Whether ``key`` is a published value or has Django's ``django-insecure-`` prefix."""
    if isinstance(key, str):
        raw = key.encode("utf-8", "surrogatepass")
    elif isinstance(key, bytes):
        raw = key
    else:
        return False
    prefix = SECRET_KEY_INSECURE_PREFIX.encode()
    return raw.startswith(prefix) or hashlib.sha256(raw).hexdigest() in PUBLISHED_SHA256
