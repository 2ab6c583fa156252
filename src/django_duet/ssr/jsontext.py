"""JSON for a server render: the props going into V8 and the page, the answer coming back.

orjson (installed by the ``ssr`` extra) encodes a 1,000-row table's props about 7 times faster
than ``json.dumps`` with Django's encoder, a fifth of a render's time spent in Python. What
orjson refuses and the stdlib takes (integer keys, integers beyond 64 bits, nesting deeper than
254 levels) goes through the stdlib, as does everything when orjson is not installed: the
props reach the component with the same values either way. Props nested deeper than the
stdlib's recursion allows (about 990 levels, fewer in a deep call stack) are written one
container at a time, with the same output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from django_duet.pages.html import SCRIPT_ESCAPES, script_safe_json

try:
    import orjson
except ImportError:  # pragma: no cover - the ssr extra installs it
    orjson = None  # type: ignore[assignment]

_ENCODER = DjangoJSONEncoder()
# Dates, times and datetimes as Django's encoder writes them (milliseconds, "Z" for UTC).
_OPTIONS = 0 if orjson is None else orjson.OPT_PASSTHROUGH_DATETIME
_SCRIPT_ESCAPES = tuple((raw.encode(), escaped.encode()) for raw, escaped in SCRIPT_ESCAPES)


class PropsText:
    """The props as JSON twice: for the page and for V8, from one encoding."""

    __slots__ = ("_json", "script", "size")

    def __init__(self, json_text: str | bytes, script: str) -> None:
        self._json = json_text
        self.script = script  # &, < and > as \u escapes: inert inside a <script> (json_script)
        self.size = len(json_text)  # of the JSON, in bytes (orjson) or characters

    @property
    def literal(self) -> str:
        """A single-quoted JS string literal of the JSON, for JSON.parse in V8; built when
        asked for, so that props too big to render on the server never make this copy."""
        text = self._json
        if isinstance(text, str):
            return js_string(text)
        # Compact JSON has no raw line breaks; a raw U+2028 is valid in a JS literal.
        escaped = text.replace(b"\\", b"\\\\").replace(b"'", b"\\'")
        return f"'{escaped.decode()}'"


def props_text(props: Any) -> PropsText:
    """``props`` encoded once; a TypeError that says what to do when they are not JSON."""
    if orjson is not None:
        try:
            data = orjson.dumps(props, default=_ENCODER.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            pass  # the stdlib either takes it or says what is wrong
        else:
            script = data
            for raw, escaped in _SCRIPT_ESCAPES:
                script = script.replace(raw, escaped)
            return PropsText(data, script.decode())
    text = _stdlib_json(props)
    return PropsText(text, script_safe_json(text))


def _stdlib_json(props: Any) -> str:
    try:
        # No check for cycles (20 % of the encoding time of a big table): a cycle recurses
        # until RecursionError instead, and _deep_json then finds it.
        return json.dumps(props, cls=DjangoJSONEncoder, separators=(",", ":"), check_circular=False)
    except RecursionError:
        pass  # a cycle, or deeper than the recursion limit allows from this call stack
    except (TypeError, ValueError) as exc:
        raise _not_json(str(exc)) from None
    try:
        return _deep_json(props)
    except ValueError:  # the cycle
        raise _not_json("a circular reference") from None
    except TypeError as exc:
        raise _not_json(str(exc)) from None


def _not_json(problem: str) -> TypeError:
    return TypeError(
        f"The props of a server-rendered component must be JSON-serializable "
        f"(dicts, lists, str, numbers, dates, UUIDs, Decimals): {problem}. Convert model "
        "instances and other objects to dicts in the view."
    )


_SEPARATORS = (",", ":")
_END: Any = object()


def _deep_json(props: Any) -> str:
    """``props`` as json.dumps with DjangoJSONEncoder writes them, without recursion: each
    open dict or list is a frame on a list, so any depth fits."""
    out: list[str] = []
    frames: list[tuple[Iterator[Any], str, int, bool]] = []  # items, closer, id, is a dict
    open_ids: set[int] = set()  # the containers being written: one met again is a cycle

    def begin(value: Any) -> None:
        if isinstance(value, dict):
            items, opener, closer = iter(value.items()), "{", "}"
        elif isinstance(value, (list, tuple)):
            items, opener, closer = iter(value), "[", "]"
        else:
            out.append(json.dumps(value, cls=DjangoJSONEncoder, separators=_SEPARATORS))
            return
        if id(value) in open_ids:
            raise ValueError("Circular reference detected")
        open_ids.add(id(value))
        out.append(opener)
        frames.append((items, closer, id(value), opener == "{"))

    begin(props)
    while frames:
        items, closer, ident, is_dict = frames[-1]
        item: Any = next(items, _END)
        if item is _END:
            out.append(closer)
            open_ids.discard(ident)
            frames.pop()
            continue
        if out[-1] not in ("{", "["):
            out.append(",")
        if is_dict:
            key, item = item
            out.append(json.dumps({_json_key(key): 0}, separators=_SEPARATORS)[1:-2])
        begin(item)
    return "".join(out)


def _json_key(key: Any) -> str | int | float | bool | None:
    if key is None or isinstance(key, (str, int, float)):
        return key  # json.dumps turns these into the key's text, as for the whole props
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


# What is left of a surrogate pair after json.loads: a lone half, which UTF-8 cannot encode.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(text: str) -> Any:
    """The engine's answer (React's HTML inside JSON): orjson decodes it about twice as fast.

    A string cut inside a surrogate pair (an emoji cut with ``.slice``) comes back as a lone
    half, which orjson refuses and no page can encode: the stdlib reads it, and each lone
    half becomes U+FFFD, as a browser shows it.
    """
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return _well_formed(json.loads(text))


def _well_formed(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_well_formed(item) for item in value]
    if isinstance(value, dict):
        return {_well_formed(k): _well_formed(v) for k, v in value.items()}
    return value


def js_string(text: str) -> str:
    """``text`` as a single-quoted JS string literal.

    In such a literal, JSON text needs only its backslashes and single quotes escaped, where
    json.dumps would escape every double quote too (0.4 ms for the 66 KB of a 1,000-row table,
    and a longer literal for V8 to scan). Line breaks (never raw in json.dumps output) are
    escaped as well, so that any string is safe here.
    """
    for raw, escaped in _JS_ESCAPES:
        text = text.replace(raw, escaped)  # no copy when ``raw`` is absent
    return f"'{text}'"


# Backslashes first: the other escapes add backslashes of their own.
_JS_ESCAPES = (
    ("\\", "\\\\"),
    ("'", "\\'"),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
