"""Signing keys from ``DUET["TOKEN_SIGNING_KEYS"]``: parsed, checked, and looked up by key id.

Each entry is ``{"kid": "2026-01", "algorithm": "ES256", "key": "<secret or PEM>"}``, with
an optional ``"verify_until"`` (an aware datetime or ISO 8601 string). The first entry signs;
every entry verifies tokens carrying its ``kid`` until its ``verify_until``. Each key is bound
to exactly one algorithm: a token's ``alg`` header must name it, which is what defeats
``alg: none`` and HS/RS confusion (an RSA public key used as an HMAC secret).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from django.core.exceptions import ImproperlyConfigured

from django_duet.conf import conf
from django_duet.exceptions import DuetError

# The minimum secret length for HMAC is the hash's output size (RFC 7518, section 3.2).
HMAC_ALGORITHMS = {"HS256": 32, "HS384": 48, "HS512": 64}
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
ALLOWED_ALGORITHMS = frozenset({*HMAC_ALGORITHMS, *RSA_ALGORITHMS, *EC_CURVES, "EdDSA"})
MIN_RSA_BITS = 2048
MIN_DISTINCT_BYTES = 8  # "x" * 64 or "changeme" * 8 is long but guessable
FIELDS = frozenset({"kid", "algorithm", "key", "verify_until"})
_KID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SETTING = 'DUET["TOKEN_SIGNING_KEYS"]'


class KeyConfigError(DuetError):
    """A problem with one key entry, with the system check id that reports it."""

    def __init__(self, check_id: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.check_id = check_id
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Key:
    kid: str
    algorithm: str
    signing_key: Any  # HMAC secret bytes or a private key object; None for a public key
    verifying_key: Any  # HMAC secret bytes or a public key object
    verify_until: datetime | None

    def verifies_at(self, now: datetime) -> bool:
        return self.verify_until is None or now < self.verify_until


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[Key, ...]

    @property
    def signer(self) -> Key:
        return self.keys[0]

    def find(self, kid: object) -> Key | None:
        return next((k for k in self.keys if k.kid == kid), None)


def parse_key(index: int, entry: object) -> Key:
    """One entry of the setting as a Key; KeyConfigError saying what to fix otherwise."""
    where = f"{SETTING}[{index}]"
    if not isinstance(entry, dict):
        raise KeyConfigError(
            "duet.E051",
            f"{where} is {entry!r}, not a dict.",
            'Write {"kid": "2026-01", "algorithm": "HS256", "key": os.environ["DUET_TOKEN_KEY"]}.',
        )
    unknown = sorted(set(entry) - FIELDS, key=str)
    kid = entry.get("kid")
    if unknown or not isinstance(kid, str) or not _KID.match(kid):
        raise KeyConfigError(
            "duet.E051",
            f"{where} has kid={kid!r}"
            + (f" and unknown fields {unknown!r}" if unknown else "")
            + ": every key needs a kid of 1-64 letters, digits, '.', '_' or '-'.",
            f'Use only the fields {sorted(FIELDS)!r}, with a kid such as "2026-01".',
        )
    algorithm = entry.get("algorithm")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise KeyConfigError(
            "duet.E052",
            f"{where} (kid {kid!r}) has algorithm={algorithm!r}, which is not allowed"
            + (
                ": 'none' would accept unsigned tokens."
                if str(algorithm).lower() == "none"
                else "."
            ),
            f"Use one of {sorted(ALLOWED_ALGORITHMS)!r} (ES256 or EdDSA for new deployments).",
        )
    material = entry.get("key")
    if isinstance(material, str):
        material = material.encode()
    if not isinstance(material, bytes) or not material:
        raise KeyConfigError(
            "duet.E050",
            f"{where} (kid {kid!r}) has key={entry.get('key')!r}: the key is missing.",
            'Read the secret or PEM from the environment, e.g. os.environ["DUET_TOKEN_KEY"].',
        )
    signing, verifying = _load_material(where, kid, algorithm, material, must_sign=index == 0)
    return Key(kid, algorithm, signing, verifying, _parse_until(where, kid, index, entry))


def _load_material(
    where: str, kid: str, algorithm: str, material: bytes, *, must_sign: bool
) -> tuple[Any, Any]:
    if algorithm in HMAC_ALGORITHMS:
        if material.lstrip().startswith(b"-----BEGIN") or material.startswith(b"ssh-"):
            raise KeyConfigError(
                "duet.E054",
                f"{where} (kid {kid!r}) is an HMAC key that looks like a PEM or SSH "
                "key: a public key used as an HMAC secret lets anyone who has it sign tokens.",
                f"Give an RSA/EC key an asymmetric algorithm (RS256, ES256...), or use a random "
                f"secret of {HMAC_ALGORITHMS[algorithm]}+ bytes for {algorithm}.",
            )
        needed = HMAC_ALGORITHMS[algorithm]
        if len(material) < needed or len(set(material)) < MIN_DISTINCT_BYTES:
            raise KeyConfigError(
                "duet.E053",
                f"{where} (kid {kid!r}) is a weak {algorithm} secret: "
                f"{len(material)} bytes, {len(set(material))} distinct (needs {needed}+ bytes, "
                "random).",
                f'Generate one: python -c "import secrets; print(secrets.token_urlsafe({needed}))"',
            )
        return material, material
    try:
        if b"PRIVATE KEY" in material:
            private: Any = serialization.load_pem_private_key(material, password=None)
            public: Any = private.public_key()
        else:
            private, public = None, serialization.load_pem_public_key(material)
    except (ValueError, TypeError) as exc:
        raise KeyConfigError(
            "duet.E054",
            f"{where} (kid {kid!r}) is not a usable unencrypted PEM key ({exc}).",
            "Give the PEM text of a private key (or, for a key that only verifies, a public key).",
        ) from None
    _check_asymmetric(where, kid, algorithm, public)
    if must_sign and private is None:
        raise KeyConfigError(
            "duet.E054",
            f"{where} (kid {kid!r}) is a public key, but the first key signs.",
            "Put the private key first; public keys may only follow it (to verify).",
        )
    return private, public


def _check_asymmetric(where: str, kid: str, algorithm: str, public: Any) -> None:
    if algorithm in RSA_ALGORITHMS:
        fits, wanted = isinstance(public, rsa.RSAPublicKey), "an RSA key"
    elif algorithm in EC_CURVES:
        fits = isinstance(public, ec.EllipticCurvePublicKey) and (
            public.curve.name == EC_CURVES[algorithm]
        )
        wanted = f"an EC key on {EC_CURVES[algorithm]}"
    else:
        fits = isinstance(public, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey))
        wanted = "an Ed25519 or Ed448 key"
    if not fits:
        raise KeyConfigError(
            "duet.E054",
            f"{where} (kid {kid!r}) uses {algorithm}, which needs {wanted}, but "
            f"the key is a {type(public).__name__}.",
            f"Give {algorithm} {wanted}, or set the algorithm that matches the key.",
        )
    if isinstance(public, rsa.RSAPublicKey) and public.key_size < MIN_RSA_BITS:
        raise KeyConfigError(
            "duet.E053",
            f"{where} (kid {kid!r}) is a {public.key_size}-bit RSA key.",
            f"Use at least {MIN_RSA_BITS} bits (or ES256/EdDSA, with smaller tokens).",
        )


def _parse_until(where: str, kid: str, index: int, entry: dict[str, Any]) -> datetime | None:
    value = entry.get("verify_until")
    if value is None:
        return None
    if index == 0:
        raise KeyConfigError(
            "duet.E055",
            f"{where} (kid {kid!r}) signs new tokens but has verify_until={value!r}.",
            "Only retired keys (after the first) get verify_until; remove it from the first key.",
        )
    try:
        until = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        until = None
    if until is None or until.tzinfo is None:
        raise KeyConfigError(
            "duet.E055",
            f"{where} (kid {kid!r}) has verify_until={value!r}, not an aware datetime.",
            'Write an ISO 8601 time with its offset, e.g. "2026-05-01T12:00:00+00:00".',
        )
    return until


def load_keyring(entries: Sequence[object]) -> KeyRing:
    """All entries as a KeyRing; KeyConfigError for the first problem (or for no keys)."""
    if not entries:
        raise KeyConfigError(
            "duet.E050",
            f"{SETTING} is empty: tokens cannot be signed nor verified.",
            f'Set {SETTING} = [{{"kid": "2026-01", "algorithm": "HS256", '
            '"key": os.environ["DUET_TOKEN_KEY"]}] (docs/tokens.md).',
        )
    keys = tuple(parse_key(i, entry) for i, entry in enumerate(entries))
    kids = [k.kid for k in keys]
    duplicates = sorted({kid for kid in kids if kids.count(kid) > 1})
    if duplicates:
        raise KeyConfigError(
            "duet.E051",
            f"{SETTING} has the kid(s) {duplicates!r} more than once.",
            "Give every key its own kid: tokens name the key that verifies them by kid.",
        )
    return KeyRing(keys)


_CACHE: dict[tuple[Any, ...], KeyRing] = {}


def keyring() -> KeyRing:
    """The configured keys, parsed once per distinct setting value (PEM parsing is slow)."""
    entries = tuple(conf.TOKEN_SIGNING_KEYS)
    try:
        frozen = tuple(tuple(sorted(e.items())) if isinstance(e, dict) else e for e in entries)
        ring = _CACHE.get(frozen)
    except TypeError:  # unhashable or unsortable values: parse without the cache
        return _load(entries)
    if ring is None:
        if len(_CACHE) >= 8:  # a few values in tests, one in production
            _CACHE.clear()
        ring = _CACHE[frozen] = _load(entries)
    return ring


def _load(entries: tuple[Any, ...]) -> KeyRing:
    try:
        return load_keyring(entries)
    except KeyConfigError as exc:
        message = f"{exc.message} {exc.hint} (system check {exc.check_id})"
        raise ImproperlyConfigured(message) from None
